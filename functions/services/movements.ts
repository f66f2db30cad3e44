/**
 * The money movements the rest of the platform calls. Each picks its idempotency key from the
 * outside world's id, fingerprints what it asks for, and hands a pure plan to the one movement store.
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { fingerprint } from '../domain/fingerprint';
import type { Channel, RefundDestination } from '../domain/ledger';
import {
  planAdjustment,
  planCancellationRefund,
  planClosingSettlement,
  planCardLoad,
  planFee,
  planRefund,
  planSmallWalletPreload,
  planSmallWalletSettle,
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
  let refundedBeforeFen = 0;
  return deps.movements.post({
    accountNo: purchase.accountNo,
    idempotencyKey: `refund#${merchant.merchantId}#${request.refundId}`,
    fingerprint: fingerprint({ type: 'refund', receiptNo: request.receiptNo, amountFen: request.amountFen }),
    plan: async (account, today) => {
      refundedBeforeFen = await refundedSoFar(deps.db, request.receiptNo);
      return planRefund(
        account,
        {
          amountFen: request.amountFen,
          channel: 'pos',
          externalRef: request.refundId,
          merchantId: merchant.merchantId,
          ...(merchant.terminalId ? { terminalId: merchant.terminalId } : {}),
          purchase,
          refundedBeforeFen,
        },
        today,
      );
    },
    // The refund total moves with the money, guarded by the total the plan saw.
    alsoWrite: () => [
      {
        item: {
          Update: {
            TableName: deps.db.tableName,
            Key: keys.refundTotal(request.receiptNo),
            UpdateExpression: 'SET refundedFen = :after, accountNo = :account',
            ConditionExpression: refundedBeforeFen === 0 ? 'attribute_not_exists(refundedFen) OR refundedFen = :zero' : 'refundedFen = :before',
            ExpressionAttributeValues: {
              ':after': refundedBeforeFen + request.amountFen,
              ':account': purchase.accountNo,
              ...(refundedBeforeFen === 0 ? { ':zero': 0 } : { ':before': refundedBeforeFen }),
            },
          },
        },
        onConflict: () => 'retry',
      },
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

export function preloadSmallWallet(deps: MovementDeps, terminal: Terminal, request: { accountNo: string; amountFen: number; tapId: string }): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: `water#${terminal.terminalId}#${request.tapId}`,
    fingerprint: fingerprint({ type: 'small_wallet_preload', accountNo: request.accountNo, amountFen: request.amountFen }),
    plan: (account, today) =>
      planSmallWalletPreload(
        account,
        { amountFen: request.amountFen, channel: 'water', externalRef: request.tapId, terminalId: terminal.terminalId, merchantId: terminal.merchantId },
        today,
      ),
  });
}

export function settleSmallWallet(deps: MovementDeps, terminal: Terminal, request: { accountNo: string; usedFen: number; tapId: string }): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: `water#${terminal.terminalId}#${request.tapId}`,
    fingerprint: fingerprint({ type: 'small_wallet_settle', accountNo: request.accountNo, amountFen: request.usedFen }),
    plan: (account, today) =>
      planSmallWalletSettle(
        account,
        { amountFen: request.usedFen, channel: 'water', externalRef: request.tapId, terminalId: terminal.terminalId, merchantId: terminal.merchantId },
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
        ? [{ item: { Update: { TableName: deps.db.tableName, ...cardStatusUpdate({ accountNo: request.accountNo, ...card }, 'cancelled', request.at.toISOString()) } }, onConflict: () => 'retry' as const }]
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

