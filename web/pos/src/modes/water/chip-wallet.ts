/**
 * The simulated chip's small wallet (小钱包) and what the water terminal must not forget, kept in
 * localStorage so a reload keeps them as a real chip and a real terminal would:
 * - the chip's wallet (the controllers spend it offline; only a settlement's answer refills it),
 * - a settlement whose chip write did not happen yet (docs/water.md: retry the same tapId until the
 *   write succeeds),
 * - the controllers' usage records waiting for upload, with each one's outcome once answered.
 */

const WALLET = 'ecard-water-chip#';
const PENDING = 'ecard-water-pending#';
const USAGE = 'ecard-water-usage';

function read<T>(key: string): T | undefined {
  const text = localStorage.getItem(key);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export function chipWalletFen(chipUid: string): number {
  return read<number>(WALLET + chipUid) ?? 0;
}

/** Compare and write: only while the chip still holds what was read (a late answer never overwrites a newer value). */
export function writeChipWallet(chipUid: string, expectedFen: number, fen: number): boolean {
  if (chipWalletFen(chipUid) !== expectedFen) return false;
  localStorage.setItem(WALLET + chipUid, JSON.stringify(fen));
  return true;
}

/** A settlement sent (or answered) but not yet written to the chip: the next tap of this chip resends it. */
export interface PendingSettlement {
  tapId: string;
  chipWalletFen: number;
  /** A CPU card's main purse as read (written in the same card write as the wallet). */
  chipBalanceFen?: number;
}

export function pendingSettlement(chipUid: string): PendingSettlement | undefined {
  return read<PendingSettlement>(PENDING + chipUid);
}

export function keepPendingSettlement(chipUid: string, pending: PendingSettlement): void {
  localStorage.setItem(PENDING + chipUid, JSON.stringify(pending));
}

export function dropPendingSettlement(chipUid: string): void {
  localStorage.removeItem(PENDING + chipUid);
}

export interface UsageRecord {
  recordId: string;
  chipUid: string;
  occurredAt: string;
  amountFen: number;
  chipWalletAfterFen: number;
  /** queued until an upload answers it. */
  outcome: 'queued' | 'stored' | 'conflict' | 'unknown_card';
}

export function usageRecords(): UsageRecord[] {
  return read<UsageRecord[]>(USAGE) ?? [];
}

export function saveUsageRecords(records: UsageRecord[]): void {
  localStorage.setItem(USAGE, JSON.stringify(records));
}
