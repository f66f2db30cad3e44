/**
 * Online disputes (issue 18). The holder disputes one of their payments from its receipt; the card
 * centre upholds it (a refund out of the merchant's payable, refundCause `dispute`, which the
 * merchant's statement shows as an adjustment) or refuses it with a reason. A refund, the dispute's
 * resolution and the action-log entry are one movement; a refusal and its entry one transaction.
 */
import type { z } from 'zod';
import type { adminDisputeView, holderDisputeView } from '../../shared/api/disputes';
import type { DisputeReason } from '../../shared/vocabulary';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { campusDay } from '../domain/campus-day';
import { assertDisputable, assertOpen, isSameDecision, isSameRaise, newDispute, type Dispute } from '../domain/disputes';
import { fingerprint } from '../domain/fingerprint';
import type { Actor } from '../domain/staff';
import { countOpenDisputes, createDispute, disputeResolutionUpdate, getDispute, listAccountDisputes, listDisputesByState, resolveDispute } from '../store/disputes';
import { getLedgerEntry, refundedSoFar } from '../store/ledger';
import { getPolicy } from '../store/policy';
import { getMerchant, getTerminal } from '../store/terminals';
import { actionLogPut, loggedMovements } from './admin/action-log';
import { postRefund } from './movements';

type HolderDispute = z.infer<typeof holderDisputeView>;
type AdminDispute = z.infer<typeof adminDisputeView>;

export function holderDispute(dispute: Dispute): HolderDispute {
  return {
    receiptNo: dispute.receiptNo,
    status: dispute.status,
    reason: dispute.reason,
    description: dispute.description,
    amountFen: dispute.amountFen,
    ...(dispute.merchantName ? { merchantName: dispute.merchantName } : {}),
    chargedAt: dispute.chargedAt,
    createdAt: dispute.createdAt,
    ...(dispute.resolvedAt ? { resolvedAt: dispute.resolvedAt } : {}),
    ...(dispute.resolution ? { resolution: dispute.resolution } : {}),
    ...(dispute.refundFen !== undefined ? { refundFen: dispute.refundFen } : {}),
    ...(dispute.refundReceiptNo ? { refundReceiptNo: dispute.refundReceiptNo } : {}),
  };
}

export function adminDispute(dispute: Dispute): AdminDispute {
  return {
    ...holderDispute(dispute),
    accountNo: dispute.accountNo,
    merchantId: dispute.merchantId,
    ...(dispute.terminalId ? { terminalId: dispute.terminalId } : {}),
    ...(dispute.terminalPlace ? { terminalPlace: dispute.terminalPlace } : {}),
    ...(dispute.resolvedBy ? { resolvedBy: dispute.resolvedBy } : {}),
  };
}

/** The holder disputes one of their own payments. */
export async function raiseDispute(
  deps: Pick<Deps, 'db' | 'clock'>,
  accountNo: string,
  request: { receiptNo: string; reason: DisputeReason; description: string },
): Promise<HolderDispute> {
  // Read under the holder's own account: another account's receipt is simply not found.
  const entry = await getLedgerEntry(deps.db, accountNo, request.receiptNo);
  if (!entry) throw new AppError('RECEIPT_NOT_FOUND', request.receiptNo);
  const existing = await getDispute(deps.db, request.receiptNo);
  if (existing) return answerExisting(existing, accountNo, request);
  const now = deps.clock();
  const [policy, refundedFen] = await Promise.all([getPolicy(deps.db), refundedSoFar(deps.db, entry.receiptNo)]);
  assertDisputable(entry, { accountNo, today: campusDay(now), windowDays: policy.disputeWindowDays, refundedFen });
  const [merchant, terminal] = await Promise.all([entry.merchantId ? getMerchant(deps.db, entry.merchantId) : undefined, entry.terminalId ? getTerminal(deps.db, entry.terminalId) : undefined]);
  const dispute = newDispute(entry, request, { merchantName: merchant?.name, terminalPlace: terminal?.place }, now);
  const stored = await createDispute(deps.db, dispute);
  return stored.created ? holderDispute(dispute) : answerExisting(stored.existing, accountNo, request);
}

function answerExisting(existing: Dispute, accountNo: string, request: { reason: DisputeReason; description: string }): HolderDispute {
  if (!isSameRaise(existing, accountNo, request)) throw new AppError('DISPUTE_EXISTS', existing.receiptNo);
  return holderDispute(existing);
}

export async function holderDisputes(deps: Pick<Deps, 'db'>, accountNo: string, limit: number): Promise<{ disputes: HolderDispute[] }> {
  return { disputes: (await listAccountDisputes(deps.db, accountNo, limit)).map(holderDispute) };
}

export async function holderDisputeOf(deps: Pick<Deps, 'db'>, accountNo: string, receiptNo: string): Promise<HolderDispute> {
  const dispute = await getDispute(deps.db, receiptNo);
  if (!dispute || dispute.accountNo !== accountNo) throw new AppError('DISPUTE_NOT_FOUND', receiptNo);
  return holderDispute(dispute);
}

export async function disputesToHandle(
  deps: Pick<Deps, 'db'>,
  query: { state: 'open' | 'resolved'; cursor?: string | undefined; limit: number },
): Promise<{ disputes: AdminDispute[]; openCount: number; nextCursor?: string }> {
  const [page, openCount] = await Promise.all([listDisputesByState(deps.db, query.state, { after: query.cursor, limit: query.limit }), countOpenDisputes(deps.db)]);
  return { disputes: page.disputes.map(adminDispute), openCount, ...(page.next ? { nextCursor: page.next } : {}) };
}

async function readDispute(deps: Pick<Deps, 'db'>, receiptNo: string): Promise<Dispute> {
  const dispute = await getDispute(deps.db, receiptNo);
  if (!dispute) throw new AppError('DISPUTE_NOT_FOUND', receiptNo);
  return dispute;
}

/**
 * Upholds a dispute: refunds `amountFen` (default: all that is left of the payment) to the holder out
 * of the merchant's payable, and resolves the dispute in the same movement. One refund per dispute:
 * its idempotency key is the dispute's, so the same decision again replays it.
 */
export async function refundDispute(
  deps: Pick<Deps, 'db' | 'clock' | 'movements'>,
  actor: Actor,
  receiptNo: string,
  body: { amountFen?: number | undefined; reason: string },
): Promise<{ dispute: AdminDispute; refund: { refundReceiptNo: string; amountFen: number; balanceFen: number }; replayed: boolean }> {
  const dispute = await readDispute(deps, receiptNo);
  if (dispute.status !== 'submitted' && !isSameDecision(dispute, { kind: 'refund', refundFen: body.amountFen })) assertOpen(dispute);
  const purchase = await getLedgerEntry(deps.db, dispute.accountNo, receiptNo);
  if (!purchase) throw new AppError('RECEIPT_NOT_FOUND', receiptNo);
  const movements = loggedMovements(deps, actor, (entry) => ({
    action: 'dispute.refund',
    target: `account:${entry.accountNo}`,
    reason: body.reason,
    details: { receiptNo, refundReceiptNo: entry.receiptNo, amountFen: entry.amountFen, merchantId: entry.merchantId ?? '', disputeReason: dispute.reason },
  }));
  let resolvedAt = '';
  const result = await postRefund(movements, purchase, {
    idempotencyKey: `refund#dispute#${receiptNo}`,
    // The decision asked for, not the amount it comes to: "the rest" asked twice is the same decision.
    fingerprint: fingerprint({ type: 'refund', receiptNo, amountFen: body.amountFen ?? 'rest', cause: 'dispute' }),
    ...(body.amountFen !== undefined ? { amountFen: body.amountFen } : {}),
    channel: 'admin',
    externalRef: `dispute-${receiptNo}`,
    reason: body.reason,
    operator: actor.username,
    refundCause: 'dispute',
    alsoWrite: (entry) => {
      resolvedAt = entry.createdAt;
      return [
        {
          item: {
            Update: disputeResolutionUpdate(deps.db, receiptNo, {
              status: 'refunded',
              resolvedAt: entry.createdAt,
              resolvedBy: actor.username,
              resolution: body.reason,
              refundReceiptNo: entry.receiptNo,
              refundFen: entry.amountFen,
            }),
          },
          // Refused (or refunded by another decision) since it was read.
          onConflict: () => new AppError('DISPUTE_ALREADY_RESOLVED', receiptNo),
        },
      ];
    },
  });
  const resolved: Dispute = result.replayed
    ? await readDispute(deps, receiptNo)
    : { ...dispute, status: 'refunded', resolvedAt, resolvedBy: actor.username, resolution: body.reason, refundReceiptNo: result.entry.receiptNo, refundFen: result.entry.amountFen };
  return {
    dispute: adminDispute(resolved),
    refund: { refundReceiptNo: result.entry.receiptNo, amountFen: result.entry.amountFen, balanceFen: result.entry.after.balanceFen },
    replayed: result.replayed,
  };
}

/** Refuses a dispute with the reason the holder reads; the same refusal again answers as it did. */
export async function refuseDispute(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, receiptNo: string, body: { reason: string }): Promise<{ dispute: AdminDispute; replayed: boolean }> {
  const dispute = await readDispute(deps, receiptNo);
  const decision = { kind: 'refuse', resolution: body.reason } as const;
  if (isSameDecision(dispute, decision)) return { dispute: adminDispute(dispute), replayed: true };
  assertOpen(dispute);
  const resolvedAt = deps.clock().toISOString();
  const resolution = { status: 'refused', resolvedAt, resolvedBy: actor.username, resolution: body.reason } as const;
  const log = actionLogPut(deps, actor, {
    action: 'dispute.refuse',
    target: `account:${dispute.accountNo}`,
    reason: body.reason,
    details: { receiptNo, amountFen: dispute.amountFen, merchantId: dispute.merchantId, disputeReason: dispute.reason },
  });
  if (await resolveDispute(deps.db, receiptNo, resolution, [{ Put: log }])) return { dispute: adminDispute({ ...dispute, ...resolution }), replayed: false };
  // Decided by someone else meanwhile: the same refusal is answered, any other decision refused.
  const now = await readDispute(deps, receiptNo);
  if (isSameDecision(now, decision)) return { dispute: adminDispute(now), replayed: true };
  throw new AppError('DISPUTE_ALREADY_RESOLVED', receiptNo);
}
