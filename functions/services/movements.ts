/**
 * The money movements the rest of the platform calls. Each picks its idempotency key from the
 * outside world's id, fingerprints what it asks for, and hands a pure plan to the one movement store.
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { fingerprint } from '../domain/fingerprint';
import type { Channel, LedgerEntry, RefundDestination } from '../domain/ledger';
import type { RefundCause } from '../../shared/vocabulary';
import type { TopupTrigger } from '../domain/topup';
import {
  planAdjustment,
  planCancellationRefund,
  planClosingSettlement,
  planCardLoad,
  planFee,
  planRefund,
  planTopup,
  planTransitionalCredit,
  planTransitionalRelease,
} from '../domain/movement-plans';
import type { Terminal } from '../domain/merchant';
import { cardStatusUpdate, keys } from '../store/keys';
import { holdbackDelete, holdbackPut, type Holdback } from '../store/closings';
import { findEntryByReceipt, refundedSoFar } from '../store/ledger';
import type { MovementCommand, MovementResult } from '../store/movements';

type MovementDeps = Pick<Deps, 'movements' | 'db'>;

export interface CreditRequest {
  accountNo: string;
  amountFen: number;
  channel: Channel;
  /** The platform's or counter's transaction id: the idempotency key within the channel. */
  externalRef: string;
  /** When the payer paid, as the platform says (the day of its bill), and the order paid. */
  paidAt?: string;
  orderId?: string;
  /** A guardian deposit: who paid, as the entry shows it. */
  guardianLabel?: string;
  /** An automatic reload's credit: the entry says so. */
  trigger?: TopupTrigger;
}

export function topUp(deps: MovementDeps, request: CreditRequest, alsoWrite?: MovementCommand['alsoWrite']): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: `topup#${request.channel}#${request.externalRef}`,
    fingerprint: fingerprint({ type: 'topup', accountNo: request.accountNo, amountFen: request.amountFen }),
    plan: (account, today) => planTopup(account, request, today),
    ...(alsoWrite ? { alsoWrite } : {}),
  });
}

export function creditTransitional(deps: MovementDeps, request: CreditRequest, alsoWrite?: MovementCommand['alsoWrite']): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: request.accountNo,
    // Same key space as topUp: one platform transaction credits one purse, once.
    idempotencyKey: `topup#${request.channel}#${request.externalRef}`,
    fingerprint: fingerprint({ type: 'transitional_credit', accountNo: request.accountNo, amountFen: request.amountFen }),
    plan: (account, today) => planTransitionalCredit(account, request, today),
    ...(alsoWrite ? { alsoWrite } : {}),
  });
}

export function loadToCard(
  deps: MovementDeps,
  terminal: Pick<Terminal, 'terminalId'>,
  request: { accountNo: string; amountFen: number; loadId: string; chipBalanceAfterFen: number },
  /** Writes that settle the reservation, committed with the money. */
  settle: MovementCommand['alsoWrite'] = undefined,
): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: `cardload#${request.loadId}`,
    fingerprint: fingerprint({ type: 'card_load', accountNo: request.accountNo, amountFen: request.amountFen, chip: request.chipBalanceAfterFen }),
    plan: (account, today) =>
      planCardLoad(
        account,
        {
          amountFen: request.amountFen,
          channel: 'pos',
          externalRef: request.loadId,
          terminalId: terminal.terminalId,
          chipBalanceAfterFen: request.chipBalanceAfterFen,
        },
        today,
      ),
    ...(settle ? { alsoWrite: settle } : {}),
  });
}

/** A merchant refunds (part of) a purchase made at it; the refunded total is tracked with the movement, atomically. */
export async function refundPurchase(
  deps: MovementDeps,
  merchant: { merchantId: string; terminalId?: string },
  request: { receiptNo: string; amountFen: number; refundId: string },
): Promise<MovementResult> {
  const purchase = await findEntryByReceipt(deps.db, request.receiptNo);
  if (!purchase) throw new AppError('RECEIPT_NOT_FOUND', request.receiptNo);
  return postRefund(deps, purchase, {
    idempotencyKey: `refund#${merchant.merchantId}#${request.refundId}`,
    fingerprint: fingerprint({ type: 'refund', receiptNo: request.receiptNo, amountFen: request.amountFen }),
    amountFen: request.amountFen,
    merchantId: merchant.merchantId,
    channel: 'pos',
    externalRef: request.refundId,
    ...(merchant.terminalId ? { terminalId: merchant.terminalId } : {}),
  });
}

export interface RefundOrder {
  idempotencyKey: string;
  fingerprint: string;
  /** Undefined: all that is left of the purchase (a duplicate charge goes back whole). */
  amountFen?: number;
  /** The merchant refunding: a merchant refunds only its own purchases. Undefined: the purchase's (the card centre). */
  merchantId?: string;
  channel: Channel;
  externalRef: string;
  terminalId?: string;
  reason?: string;
  operator?: string;
  refundCause?: RefundCause;
  /**
   * Who may refund this purchase today (throws the refusal). Judged inside the plan, so a retry of
   * a refund that posted answers as it did even on a later day.
   */
  allow?: (purchase: LedgerEntry, today: string) => void;
  /** Other writes that commit with the refund (the card centre's action-log entry). */
  alsoWrite?: MovementCommand['alsoWrite'];
}

/**
 * Refunds (part of) a purchase as one movement: merchant payable → holder balance, with the
 * purchase's refunded total (REFUNDS#<receipt>) moved in the same transaction on condition that it
 * is still the total the plan saw, so concurrent refunds never exceed the purchase.
 */
export function postRefund(deps: MovementDeps, purchase: LedgerEntry, order: RefundOrder): Promise<MovementResult> {
  const merchantId = order.merchantId ?? purchase.merchantId ?? '';
  let refundedBeforeFen = 0;
  let amountFen = order.amountFen ?? 0;
  return deps.movements.post({
    accountNo: purchase.accountNo,
    idempotencyKey: order.idempotencyKey,
    fingerprint: order.fingerprint,
    plan: async (account, today) => {
      order.allow?.(purchase, today);
      refundedBeforeFen = await refundedSoFar(deps.db, purchase.receiptNo);
      amountFen = order.amountFen ?? purchase.amountFen - refundedBeforeFen;
      if (amountFen <= 0 && order.amountFen === undefined) throw new AppError('REFUND_EXCEEDS_PURCHASE', `${purchase.receiptNo}: nothing left to refund`);
      return planRefund(
        account,
        {
          amountFen,
          channel: order.channel,
          externalRef: order.externalRef,
          merchantId,
          ...(order.terminalId ? { terminalId: order.terminalId } : {}),
          ...(order.reason ? { reason: order.reason } : {}),
          ...(order.operator ? { operator: order.operator } : {}),
          ...(order.refundCause ? { refundCause: order.refundCause } : {}),
          purchase,
          refundedBeforeFen,
        },
        today,
      );
    },
    // The refund total moves with the money, guarded by the total the plan saw.
    alsoWrite: (entry) => [
      {
        item: {
          Update: {
            TableName: deps.db.tableName,
            Key: keys.refundTotal(purchase.receiptNo),
            UpdateExpression: 'SET refundedFen = :after, accountNo = :account',
            ConditionExpression: refundedBeforeFen === 0 ? 'attribute_not_exists(refundedFen) OR refundedFen = :zero' : 'refundedFen = :before',
            ExpressionAttributeValues: {
              ':after': refundedBeforeFen + amountFen,
              ':account': purchase.accountNo,
              ...(refundedBeforeFen === 0 ? { ':zero': 0 } : { ':before': refundedBeforeFen }),
            },
          },
        },
        onConflict: () => 'retry',
      },
      ...(order.alsoWrite?.(entry) ?? []),
    ],
  });
}

export function chargeFee(
  deps: MovementDeps,
  request: { accountNo: string; amountFen: number; feeId: string; reason: string; operator?: string; channel?: Channel },
): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: `fee#${request.feeId}`,
    fingerprint: fingerprint({ type: 'fee', accountNo: request.accountNo, amountFen: request.amountFen }),
    plan: (account, today) =>
      planFee(
        account,
        {
          amountFen: request.amountFen,
          channel: request.channel ?? 'counter',
          externalRef: request.feeId,
          reason: request.reason,
          ...(request.operator ? { operator: request.operator } : {}),
        },
        today,
      ),
  });
}

export function adjustBalance(
  deps: MovementDeps,
  request: { accountNo: string; amountFen: number; direction: 'credit' | 'debit'; adjustmentId: string; reason: string; operator: string },
): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: `adjustment#${request.adjustmentId}`,
    fingerprint: fingerprint({ type: 'adjustment', accountNo: request.accountNo, amountFen: request.amountFen, direction: request.direction }),
    plan: (account, today) =>
      planAdjustment(
        account,
        {
          amountFen: request.amountFen,
          direction: request.direction,
          channel: 'admin',
          externalRef: request.adjustmentId,
          reason: request.reason,
          operator: request.operator,
        },
        today,
      ),
  });
}

/** The card centre moves transitional balance that has no CPU card to wait for into the balance (all of it). */
export function releaseTransitional(deps: MovementDeps, request: { accountNo: string; releaseId: string; reason: string; operator: string }): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: `release#${request.releaseId}`,
    fingerprint: fingerprint({ type: 'transitional_release', accountNo: request.accountNo }),
    plan: (account, today) => planTransitionalRelease(account, { channel: 'admin', externalRef: request.releaseId, reason: request.reason, operator: request.operator }, today),
  });
}

/**
 * Closes the account and refunds what it holds to the destination, as one movement; its physical
 * card is cancelled (on the offline blacklist for ever) and what offline terminals may still charge
 * is held back (the HOLDBACK item, settled by settleClosedAccounts once their bundles have expired).
 */
export function closeAccountWithRefund(
  deps: MovementDeps,
  request: { accountNo: string; cancellationId: string; destination: RefundDestination; reason: string; operator: string; at: Date },
): Promise<MovementResult> {
  let card: { cardId: string; chipUid?: string } | undefined;
  return deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: `cancellation#${request.cancellationId}`,
    fingerprint: fingerprint({ type: 'cancellation_refund', accountNo: request.accountNo, destination: request.destination }),
    plan: (account, today) => {
      card = account.activePhysicalCardId ? { cardId: account.activePhysicalCardId, ...(account.activeChipUid ? { chipUid: account.activeChipUid } : {}) } : undefined;
      return planCancellationRefund(
        account,
        { channel: 'counter', externalRef: request.cancellationId, destination: request.destination, reason: request.reason, operator: request.operator, at: request.at },
        today,
      );
    },
    alsoWrite: (entry) => [
      ...(card
        ? [{ item: { Update: { TableName: deps.db.tableName, ...cardStatusUpdate({ accountNo: request.accountNo, ...card }, 'cancelled', request.at.toISOString(), { by: request.operator, reason: request.reason }) } }, onConflict: () => 'retry' as const }]
        : []),
      ...(entry.holdbackUntil !== undefined
        ? [
            {
              item: { Put: holdbackPut(deps.db, { accountNo: request.accountNo, cancellationId: request.cancellationId, destination: request.destination, heldBackFen: entry.after.balanceFen, holdbackUntil: entry.holdbackUntil }) },
              onConflict: () => 'retry' as const,
            },
          ]
        : []),
    ],
  });
}

/** Refunds what a closed account still holds once its holdback has passed, and closes the holdback, as one movement. */
export function settleClosedAccount(deps: MovementDeps, holdback: Holdback, at: Date): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: holdback.accountNo,
    idempotencyKey: `closing#${holdback.cancellationId}`,
    fingerprint: fingerprint({ type: 'closing_settlement', accountNo: holdback.accountNo }),
    plan: (account, today) =>
      planClosingSettlement(account, { channel: 'counter', externalRef: holdback.cancellationId, destination: holdback.destination, reason: 'closing settled after the offline holdback', at }, today),
    alsoWrite: () => [{ item: { Delete: holdbackDelete(deps.db, holdback.accountNo) }, onConflict: () => 'retry' as const }],
  });
}

