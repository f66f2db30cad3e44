/**
 * What the ledger audit benchmarks (bench/audit.ts, bench/scale/audit.ts) seed and compare against:
 * accounts whose entries are exactly as movements write them, and the audit's reads alone.
 */
import { benchAccount } from './seed';
import { campusDay } from '../functions/domain/campus-day';
import { holder, system } from '../functions/domain/chart';
import type { LedgerEntry } from '../functions/domain/ledger';
import { isAccountItem, readAccountPartition, scanAuditSegment, scannedAccount } from '../functions/store/audit-reads';
import type { Db } from '../functions/store/db';
import { keys } from '../functions/store/keys';
import { nextEntryId } from '../functions/store/movements';

/** One account's items: a top-up, then purchases of 1 yuan, each `after` the running balance. */
export function auditAccountItems(accountNo: string, base: Date, entries: number): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  let balanceFen = 0;
  let lastEntryId: string | undefined;
  for (let i = 0; i < entries; i++) {
    const at = new Date(base.getTime() + i * 1_000);
    const topup = i === 0;
    const amountFen = topup ? entries * 100 : 100;
    balanceFen += topup ? amountFen : -amountFen;
    lastEntryId = nextEntryId(at, lastEntryId);
    const moved = topup
      ? { type: 'topup' as const, transfers: [{ debit: system.cashDesk, credit: holder.balance(accountNo), amountFen }] }
      : { type: 'purchase' as const, transfers: [{ debit: holder.balance(accountNo), credit: system.merchantPayable('M1'), amountFen }] };
    const entry: LedgerEntry = {
      entryId: lastEntryId,
      receiptNo: lastEntryId,
      accountNo,
      ...moved,
      amountFen,
      delta: { balanceFen: topup ? amountFen : -amountFen, transitionalFen: 0, smallWalletFen: 0 },
      after: { balanceFen, transitionalFen: 0, smallWalletFen: 0 },
      channel: topup ? 'counter' : 'pos',
      ...(topup ? {} : { merchantId: 'M1', terminalId: 'T1' }),
      externalRef: topup ? `bench-${accountNo}` : `${accountNo}-${i}`,
      createdAt: at.toISOString(),
      campusDay: campusDay(at),
    };
    items.push({ ...keys.ledgerEntry(accountNo, lastEntryId), ...entry });
  }
  const account = benchAccount(accountNo, { balanceFen, version: entries, dailySpentDay: campusDay(base), ...(lastEntryId ? { lastEntryId } : {}), createdAt: base.toISOString() });
  items.push({ ...keys.account(accountNo), ...account });
  return items;
}

/** The audit's reads alone: the same parallel scan and per-account Query, at most `concurrency` accounts at once. */
export async function rawAuditReads(db: Db, segments: number, concurrency: number): Promise<number> {
  let entries = 0;
  let active = 0;
  const waiting: (() => void)[] = [];
  const pending = new Set<Promise<void>>();
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const page of scanAuditSegment(db, segment, segments)) {
        for (const item of page) {
          if (!isAccountItem(item)) continue;
          if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
          else active++;
          const task = readAccountPartition(db, scannedAccount(item).accountNo).then((p) => {
            entries += p.entries.length;
            const next = waiting.shift();
            if (next) next();
            else active--;
            pending.delete(task);
          });
          pending.add(task);
        }
      }
    }),
  );
  await Promise.all([...pending]);
  return entries;
}
