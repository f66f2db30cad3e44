/**
 * The card centre's way for transitional balance stranded without a CPU card (money credited before
 * replacements released it): all of it becomes balance, as a ledger movement audited in its own
 * transaction. While the account has a CPU card, even a lost one, the money waits for that card or
 * its replacement (a replacement by an M1 card releases it by itself).
 */
import type { Deps } from '../../deps';
import type { Actor } from '../../domain/staff';
import { releaseTransitional } from '../movements';
import { loggedMovements } from './action-log';

export async function releaseTransitionalByCardCentre(
  deps: Pick<Deps, 'db' | 'clock' | 'movements'>,
  actor: Actor,
  accountNo: string,
  body: { releaseId: string; reason: string },
): Promise<{ receiptNo: string; releasedFen: number; balanceFen: number; transitionalFen: number; replayed: boolean }> {
  const audited = loggedMovements(deps, actor, (entry) => ({
    action: 'transitional.release',
    target: `account:${accountNo}`,
    reason: body.reason,
    details: { receiptNo: entry.receiptNo, releasedFen: entry.amountFen, balanceAfterFen: entry.after.balanceFen, releaseId: body.releaseId },
  }));
  const { entry, replayed } = await releaseTransitional(audited, { accountNo, releaseId: body.releaseId, reason: body.reason, operator: actor.username });
  return { receiptNo: entry.receiptNo, releasedFen: entry.amountFen, balanceFen: entry.after.balanceFen, transitionalFen: entry.after.transitionalFen, replayed };
}
