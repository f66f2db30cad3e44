/**
 * System accounts' balances (chart.ts), derived: a system account has no item of its own that
 * payments update (that would be a hot item every payment contends on). Each ledger entry is
 * indexed by the system accounts it names and its campus day (gsi2, and gsi3 for the second of a
 * system entry: SYS#<account>#<day>), so a day of an account is a Query per index, and its change is
 * the sum of its entries' transfers.
 */
import type { SystemAccount } from '../domain/chart';
import type { LedgerEntry, SystemEntry } from '../domain/ledger';
import { addDays } from '../domain/campus-day';
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

/** An entry that names a system account: a holder's movement or a movement between two system accounts. */
export type SystemAccountEntry = LedgerEntry | SystemEntry;

/**
 * The entries that name `account` on `day`: those indexed under it first (gsi2) and second (gsi3,
 * system entries naming two). The indexes are eventually consistent: entries of the last moments may be missing.
 */
export async function systemAccountEntries(db: Db, account: SystemAccount, day: string): Promise<SystemAccountEntry[]> {
  const [first, second] = await Promise.all([
    queryAll<Record<string, unknown>>(db, {
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.systemAccountDayIndex(account, day, '').gsi2pk },
    }),
    queryAll<Record<string, unknown>>(db, {
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.secondSystemAccountDayIndex(account, day, '').gsi3pk },
    }),
  ]);
  return [...first, ...second]
    .map((item) => withoutKeys(item) as unknown as SystemAccountEntry)
    .sort((a, b) => (a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0));
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
  for (let day = fromDay; day <= toDay; day = addDays(day, 1)) days.push(await systemAccountDay(db, account, day));
  return { account, changeFen: days.reduce((sum, day) => sum + day.changeFen, 0), days };
}
