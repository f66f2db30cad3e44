/**
 * System accounts' balances (chart.ts), derived: a system account has no item of its own that
 * payments update (that would be a hot item every payment contends on). Each ledger entry is
 * indexed by the one system account it names and its campus day (gsi2 SYS#<account>#<day>), so a
 * day of an account is one Query, and its change is the sum of its entries' transfers.
 */
import type { SystemAccount } from '../domain/chart';
import type { LedgerEntry } from '../domain/ledger';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';

export interface SystemAccountDay {
  account: SystemAccount;
  campusDay: string;
  /** The change of the account's balance that day (credits − debits). */
  changeFen: number;
  debitsFen: number;
  creditsFen: number;
  entries: number;
}

/** The entries that name `account` on `day` (the index is eventually consistent: entries of the last moments may be missing). */
export async function systemAccountEntries(db: Db, account: SystemAccount, day: string): Promise<LedgerEntry[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.systemAccountDayIndex(account, day, '').gsi2pk },
  });
  return items.map((item) => withoutKeys(item) as unknown as LedgerEntry);
}

/** What `account`'s balance changed by on campus day `day`, from that day's transfers. */
export async function systemAccountDay(db: Db, account: SystemAccount, day: string): Promise<SystemAccountDay> {
  const entries = await systemAccountEntries(db, account, day);
  let debitsFen = 0;
  let creditsFen = 0;
  for (const entry of entries) {
    for (const transfer of entry.transfers ?? []) {
      if (transfer.debit === account) debitsFen += transfer.amountFen;
      if (transfer.credit === account) creditsFen += transfer.amountFen;
    }
  }
  return { account, campusDay: day, changeFen: creditsFen - debitsFen, debitsFen, creditsFen, entries: entries.length };
}

/** The change of `account` over the campus days `fromDay`..`toDay` (inclusive), one Query per day. */
export async function systemAccountBalance(db: Db, account: SystemAccount, fromDay: string, toDay: string): Promise<{ account: SystemAccount; changeFen: number; days: SystemAccountDay[] }> {
  const days: SystemAccountDay[] = [];
  for (let day = fromDay; day <= toDay; day = nextDay(day)) days.push(await systemAccountDay(db, account, day));
  return { account, changeFen: days.reduce((sum, day) => sum + day.changeFen, 0), days };
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}
