/**
 * Refunds of purchases: at the terminal that took the payment, on the day it was made; later by
 * the card centre with a reason; and a duplicate charge the system made, taken back out of the
 * merchant's settlement by the card centre. Each is a refund entry (merchant payable → holder
 * balance) posted by the one movement store, with the purchase's refunded total moved atomically.
 */
import { AppError } from '../app-error';
import { maskHolderName } from '../domain/account';
import type { Deps } from '../deps';
import { fingerprint } from '../domain/fingerprint';
import type { LedgerEntry } from '../domain/ledger';
import { assertDuplicateCharge, assertTerminalMayRefund, purchaseDay, type Terminal } from '../domain/merchant';
import type { Actor } from '../domain/staff';
import type { RefundCause } from '../../shared/vocabulary';
import { findEntryByReceipt } from '../store/ledger';
import type { MovementResult } from '../store/movements';
import { getOfflineRecord } from '../store/offline';
import { loggedMovements } from './admin/action-log';
import { isGuardianDepositEntry, refundGuardianDeposit } from './guardian-deposits';
import { postRefund } from './movements';

type RefundDeps = Pick<Deps, 'db' | 'clock' | 'movements'>;

export interface RefundPosted {
  refundReceiptNo: string;
  receiptNo: string;
  amountFen: number;
  balanceFen: number;
  holderDisplayName: string;
  postedAt: string;
  replayed: boolean;
}

function posted(result: MovementResult): RefundPosted {
  return {
    refundReceiptNo: result.entry.receiptNo,
    receiptNo: result.entry.refundOf ?? '',
    amountFen: result.entry.amountFen,
    balanceFen: result.entry.after.balanceFen,
    holderDisplayName: maskHolderName(result.holderName),
    postedAt: result.entry.createdAt,
    replayed: result.replayed,
  };
}

async function readPurchase(deps: Pick<Deps, 'db'>, receiptNo: string): Promise<LedgerEntry> {
  const purchase = await findEntryByReceipt(deps.db, receiptNo);
  if (!purchase) throw new AppError('RECEIPT_NOT_FOUND', receiptNo);
  return purchase;
}

/** The terminal that took the payment refunds (part of) it on the same campus day; idempotent on the terminal's refund id. */
export async function refundAtTerminal(deps: RefundDeps, terminal: Terminal, body: { refundId: string; receiptNo: string; amountFen: number }): Promise<RefundPosted> {
  const purchase = await readPurchase(deps, body.receiptNo);
  // An offline sale's day is when it happened at the till, which its upload record keeps.
  const offline = purchase.channel === 'offline_pos' && purchase.terminalId ? await getOfflineRecord(deps.db, purchase.terminalId, purchase.externalRef) : undefined;
  const saleDay = purchaseDay(purchase, offline?.occurredAt);
  const result = await postRefund(deps, purchase, {
    idempotencyKey: `refund#terminal#${terminal.terminalId}#${body.refundId}`,
    fingerprint: fingerprint({ type: 'refund', receiptNo: body.receiptNo, amountFen: body.amountFen }),
    amountFen: body.amountFen,
    merchantId: terminal.merchantId,
    channel: 'pos',
    externalRef: body.refundId,
    terminalId: terminal.terminalId,
    refundCause: 'terminal',
    allow: (bought, today) => assertTerminalMayRefund(bought, saleDay, terminal.terminalId, today),
  });
  return posted(result);
}

export interface CardCentreRefundPosted extends RefundPosted {
  accountNo: string;
  merchantId: string;
  refundCause: RefundCause;
  reason: string;
}

function cardCentrePosted(result: MovementResult): CardCentreRefundPosted {
  return {
    ...posted(result),
    accountNo: result.entry.accountNo,
    merchantId: result.entry.merchantId ?? '',
    refundCause: result.entry.refundCause ?? 'card_centre',
    reason: result.entry.reason ?? '',
  };
}

/**
 * The card centre refunds (part of) a purchase on any day, with a reason, out of the merchant's
 * payable. A guardian deposit's receipt instead goes back whole to its payer's WeChat Pay / Alipay,
 * out of the holder's balance (guardian-deposits.ts): never to the holder.
 */
export async function refundByCardCentre(
  deps: RefundDeps & Partial<Pick<Deps, 'payments' | 'logger'>>,
  actor: Actor,
  body: { refundId: string; receiptNo: string; amountFen: number; reason: string },
): Promise<CardCentreRefundPosted> {
  const purchase = await readPurchase(deps, body.receiptNo);
  if (isGuardianDepositEntry(purchase)) {
    if (!deps.payments || !deps.logger) throw new Error('a guardian deposit refund needs the payment channels');
    return cardCentrePosted(await refundGuardianDeposit({ ...deps, payments: deps.payments, logger: deps.logger }, actor, body, purchase));
  }
  const movements = loggedMovements(deps, actor, (entry) => ({
    action: 'refund.card_centre',
    target: `account:${entry.accountNo}`,
    reason: body.reason,
    details: { receiptNo: body.receiptNo, refundReceiptNo: entry.receiptNo, amountFen: entry.amountFen, merchantId: entry.merchantId ?? '' },
  }));
  const result = await postRefund(movements, purchase, {
    idempotencyKey: `refund#card_centre#${body.refundId}`,
    fingerprint: fingerprint({ type: 'refund', receiptNo: body.receiptNo, amountFen: body.amountFen, cause: 'card_centre' }),
    amountFen: body.amountFen,
    channel: 'admin',
    externalRef: body.refundId,
    reason: body.reason,
    operator: actor.username,
    refundCause: 'card_centre',
  });
  return cardCentrePosted(result);
}

/**
 * A duplicate charge the system made: all that is left of it goes back to the holder out of the
 * merchant's payable, so it comes off the merchant's settlement; the entry says so (refundCause).
 */
export async function refundDuplicateCharge(
  deps: RefundDeps,
  actor: Actor,
  body: { refundId: string; receiptNo: string; duplicateOf: string; reason: string },
): Promise<CardCentreRefundPosted> {
  const [duplicate, original] = await Promise.all([readPurchase(deps, body.receiptNo), readPurchase(deps, body.duplicateOf)]);
  assertDuplicateCharge(duplicate, original);
  const movements = loggedMovements(deps, actor, (entry) => ({
    action: 'refund.duplicate_charge',
    target: `account:${entry.accountNo}`,
    reason: body.reason,
    details: { receiptNo: body.receiptNo, duplicateOf: body.duplicateOf, refundReceiptNo: entry.receiptNo, amountFen: entry.amountFen, merchantId: entry.merchantId ?? '' },
  }));
  const result = await postRefund(movements, duplicate, {
    idempotencyKey: `refund#card_centre#${body.refundId}`,
    fingerprint: fingerprint({ type: 'refund', receiptNo: body.receiptNo, duplicateOf: body.duplicateOf, cause: 'duplicate_charge' }),
    channel: 'admin',
    externalRef: body.refundId,
    reason: body.reason,
    operator: actor.username,
    refundCause: 'duplicate_charge',
  });
  return cardCentrePosted(result);
}
