/**
 * Levelling an account to its card (DOMAIN.md, "Offline POS and reconciliation"): by card staff after
 * reconciling, with the chip balance read at the counter, and automatically at a card's online tap
 * when card spending the database lacks has waited longer than the policy allows (5 days).
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { levellingDue } from '../domain/chip';
import { fingerprint } from '../domain/fingerprint';
import { planLevelling } from '../domain/movement-plans';
import { OFFLINE_POLICY } from '../domain/offline';
import type { Actor } from '../domain/staff';
import { getAccount } from '../store/accounts';
import type { MovementResult } from '../store/movements';
import { loggedMovements } from './admin/action-log';

type LevelDeps = Pick<Deps, 'db' | 'clock' | 'movements'>;

export async function levelByCardCentre(
  deps: LevelDeps,
  actor: Actor,
  accountNo: string,
  body: { levellingId: string; chipBalanceFen: number; reason: string },
): Promise<{ receiptNo: string; direction: 'debit' | 'credit' | 'none'; amountFen: number; balanceFen: number; levelledAt: string; replayed: boolean }> {
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  if (!account.activePhysicalCardId) throw new AppError('NO_PHYSICAL_CARD', accountNo);
  const cardId = account.activePhysicalCardId;
  const at = deps.clock().toISOString();
  const audited = loggedMovements(deps, actor, (entry) => ({
    action: 'account.level',
    target: `account:${accountNo}`,
    reason: body.reason,
    details: { receiptNo: entry.receiptNo, cardId, chipBalanceFen: body.chipBalanceFen, deltaFen: entry.delta.balanceFen, balanceAfterFen: entry.after.balanceFen, levellingId: body.levellingId },
  }));
  const { entry, replayed } = await audited.movements.post({
    accountNo,
    idempotencyKey: `levelling#${body.levellingId}`,
    fingerprint: fingerprint({ type: 'levelling', accountNo, chip: body.chipBalanceFen }),
    plan: (current, today) => {
      if (current.activePhysicalCardId !== cardId) throw new AppError('NO_PHYSICAL_CARD', `${accountNo}: its card changed`);
      return planLevelling(
        current,
        { cardId, chipReadFen: body.chipBalanceFen, at, channel: 'admin', externalRef: body.levellingId, reason: body.reason, operator: actor.username, believeHigherChip: true },
        today,
      );
    },
  });
  const delta = entry.delta.balanceFen;
  return { receiptNo: entry.receiptNo, direction: delta < 0 ? 'debit' : delta > 0 ? 'credit' : 'none', amountFen: entry.amountFen, balanceFen: entry.after.balanceFen, levelledAt: entry.createdAt, replayed };
}

/**
 * The automatic rule, at a card's online tap: if the chip has shown spending the database lacks for
 * longer than the policy allows, level to the card first (once per gap: the key is the gap's start).
 */
export async function levelIfDue(deps: LevelDeps, accountNo: string, cardId: string, chipReadFen: number): Promise<MovementResult | undefined> {
  const now = deps.clock();
  // Read afresh: the gap's start names the levelling, so it must not come from a remembered copy.
  const account = await getAccount(deps.db, accountNo);
  if (!account || !levellingDue(account, cardId, now, OFFLINE_POLICY.levelAfterDays)) return undefined;
  const since = account.chipGapSince!;
  return deps.movements.post({
    accountNo: account.accountNo,
    idempotencyKey: `levelling#auto#${cardId}#${since}`,
    fingerprint: fingerprint({ type: 'levelling', accountNo: account.accountNo, cardId, since }),
    plan: (current, today) =>
      planLevelling(
        current,
        {
          cardId,
          chipReadFen,
          at: now.toISOString(),
          channel: 'pos',
          externalRef: `auto-${since}`,
          reason: `levelled automatically: card spending not uploaded since ${since} (more than ${OFFLINE_POLICY.levelAfterDays} days)`,
          believeHigherChip: false,
        },
        today,
      ),
  });
}
