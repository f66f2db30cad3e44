/**
 * A water session (DOMAIN.md, water control): the small wallet is preloaded at the first tap and
 * the water used is settled at the next, at the same controller. The preload is a pending transfer
 * (pending.ts) from the small wallet to the water merchant's payable: the money is held in the small
 * wallet while the water runs; the settlement POSTS what was used (the rest goes back to the
 * balance); a session nobody settles EXPIRES after its timeout and all of it goes back. One session
 * per account at a time: a tap on another controller while one is open orphans it, and the orphaned
 * pre-deduction is given back at once (the controllers keep nothing of it).
 *
 * Settlement terminals keep the small wallet on the chip instead: each tap settles what the chip
 * spent since the last one and fills it back up to the cap; the controllers' records, uploaded
 * later, are checked against those settlements (docs/water.md).
 */
import { AppError } from '../app-error';
import { holder, system } from './chart';
import { pendingOf, type Pending } from './pending';
import { WATER_POLICY } from './policy';

export type WaterResolution = 'settled' | 'orphaned' | 'not_settled_in_time';

export interface WaterSession extends Pending<WaterResolution> {
  pendingKind: 'small_wallet_preload';
  sessionId: string;
  accountNo: string;
  terminalId: string;
  merchantId: string;
  /** What was preloaded into the small wallet (the most the session can spend). */
  amountFen: number;
  /** What the settlement said was used. */
  usedFen?: number;
}

export function newWaterSession(session: Pick<WaterSession, 'sessionId' | 'accountNo' | 'terminalId' | 'merchantId' | 'amountFen'>, now: Date): WaterSession {
  const pending = pendingOf('small_wallet_preload', { debit: holder.smallWallet(session.accountNo), credit: system.merchantPayable(session.merchantId), amountFen: session.amountFen }, now);
  return { ...session, ...pending, pendingKind: 'small_wallet_preload' };
}

/** What a preload tap does about the account's open session: none → open one; at another controller → give that one back first. */
export function preloadStep(open: WaterSession | undefined, terminalId: string): 'open' | 'orphan_then_open' | 'in_use' {
  if (!open) return 'open';
  return open.terminalId === terminalId ? 'in_use' : 'orphan_then_open';
}

/** What a pre-deduction takes: the policy amount, or what the balance holds if less (0: nothing to take). */
export function sessionPreloadFen(balanceFen: number): number {
  return Math.max(0, Math.min(WATER_POLICY.sessionPreloadFen, balanceFen));
}

/**
 * At a settlement terminal: the water used since the last settlement is what we preloaded into the
 * small wallet less what the chip's wallet holds now. A chip holding more than we preloaded was not
 * written by us (the wallet is only ever written with what a settlement answered): refused, so no
 * unexplained money is settled or preloaded on top of it.
 */
export function chipWalletUsage(smallWalletFen: number, chipWalletFen: number): number {
  if (chipWalletFen > smallWalletFen) throw new AppError('SMALL_WALLET_CHIP_AHEAD', `chip ${chipWalletFen} > preloaded ${smallWalletFen}`);
  return smallWalletFen - chipWalletFen;
}

/** The preload after a settlement: the wallet back up to the cap, as far as the balance goes. */
export function walletRefillFen(walletFen: number, balanceFen: number): number {
  return Math.max(0, Math.min(WATER_POLICY.walletCapFen - walletFen, balanceFen));
}

/** A settlement tap as the usage check sees it (server time). */
export interface SettledUsage {
  settledAt: string;
  usageFen: number;
}

/** A controller's record of water it let run on a chip's wallet (the controller's clock). */
export interface UsageRecord {
  terminalId: string;
  recordId: string;
  occurredAt: string;
  amountFen: number;
}

export type UsageDiscrepancy =
  | { kind: 'water_usage_above_settled'; settledAt: string; sinceAt?: string; recordsFen: number; settledFen: number; recordIds: string[] }
  | { kind: 'water_usage_not_settled'; sinceAt?: string; firstAt: string; recordsFen: number; recordIds: string[] };

/**
 * The controllers' records of one account against its settlements: the records between two
 * settlements (after the earlier, up to the later) must not sum to more than the later one settled;
 * records after the last settlement that are older than the timeout were never settled at all.
 * Records the settlement saw less of are fine (a controller may upload late, or never).
 */
export function usageDiscrepancies(settlements: readonly SettledUsage[], records: readonly UsageRecord[], now: Date): UsageDiscrepancy[] {
  const ordered = [...settlements].sort((a, b) => a.settledAt.localeCompare(b.settledAt));
  const found: UsageDiscrepancy[] = [];
  let sinceAt: string | undefined;
  for (const settlement of ordered) {
    const within = records.filter((r) => (sinceAt === undefined || r.occurredAt > sinceAt) && r.occurredAt <= settlement.settledAt);
    const recordsFen = within.reduce((sum, r) => sum + r.amountFen, 0);
    if (recordsFen > settlement.usageFen) {
      found.push({ kind: 'water_usage_above_settled', settledAt: settlement.settledAt, ...(sinceAt ? { sinceAt } : {}), recordsFen, settledFen: settlement.usageFen, recordIds: within.map(idOf) });
    }
    sinceAt = settlement.settledAt;
  }
  const dueBefore = new Date(now.getTime() - WATER_POLICY.unsettledUsageSeconds * 1000).toISOString();
  const unsettled = records.filter((r) => (sinceAt === undefined || r.occurredAt > sinceAt) && r.occurredAt <= dueBefore);
  if (unsettled.length > 0) {
    found.push({ kind: 'water_usage_not_settled', ...(sinceAt ? { sinceAt } : {}), firstAt: unsettled.map((r) => r.occurredAt).sort()[0]!, recordsFen: unsettled.reduce((sum, r) => sum + r.amountFen, 0), recordIds: unsettled.map(idOf) });
  }
  return found;
}

function idOf(record: UsageRecord): string {
  return `${record.terminalId}/${record.recordId}`;
}

/** The oldest record no settlement has taken yet (after the last settlement), if any. */
export function oldestUnsettled(settlements: readonly SettledUsage[], records: readonly UsageRecord[]): string | undefined {
  const last = settlements.reduce<string | undefined>((latest, s) => (latest === undefined || s.settledAt > latest ? s.settledAt : latest), undefined);
  return records
    .filter((r) => last === undefined || r.occurredAt > last)
    .map((r) => r.occurredAt)
    .sort()[0];
}
