/**
 * Payment-code sales (functions/domain/payment-code.ts): one item per terminal and posTxnId, put
 * before the platform is asked, carrying its pending transfer (functions/store/pending.ts) so the
 * resolver finds it while it is open. Every change is conditional on the sale still being pending.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PaymentCodeRefusal, PaymentCodeSale } from '../domain/payment-code';
import { isConditionFailed } from './conditions';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import { listOpenPending, openPendingAttributes } from './pending';

export const paymentCodeSaleKey = (sale: Pick<PaymentCodeSale, 'terminalId' | 'posTxnId'>) => keys.paymentCodeSale(sale.terminalId, sale.posTxnId);

/**
 * What a terminal's posTxnId holds: a sale, or the mark of an id closed unused (the status query
 * answered not_found, so nothing may ever be taken under it). The mark sits at the sale's own key,
 * without a state or an open-pending index, so no resolver, bill or audit ever sees it as a sale.
 */
export type PaymentCodeSlot = { sale: PaymentCodeSale } | { closedAt: string };

/** Stores a new sale; if one exists under the terminal's posTxnId already, returns that one instead (or the id's closed mark). */
export async function createPaymentCodeSale(
  db: Db,
  sale: PaymentCodeSale,
): Promise<{ created: true } | { created: false; existing: PaymentCodeSale } | { created: false; closedAt: string }> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...paymentCodeSaleKey(sale), ...sale, ...openPendingAttributes(sale, sale.pendingId) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { created: true };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const existing = await getPaymentCodeSlot(db, sale.terminalId, sale.posTxnId);
    if (!existing) throw error;
    return 'sale' in existing ? { created: false, existing: existing.sale } : { created: false, closedAt: existing.closedAt };
  }
}

/**
 * Closes the id unless a sale exists under it, in one conditional write (the payment-code side of
 * closeUnlessPosted in movements.ts): a POST still on its way then finds the mark and is refused
 * POS_TXN_CLOSED before the platform is asked, so nothing is ever taken under it.
 */
export async function closePaymentCodeIdUnlessUsed(db: Db, terminalId: string, posTxnId: string, at: string): Promise<PaymentCodeSlot> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.paymentCodeSale(terminalId, posTxnId), terminalId, posTxnId, closed: true, closedAt: at },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { closedAt: at };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
  // Something is there (a sale, or the mark of an earlier close), and neither ever goes away.
  return (await getPaymentCodeSlot(db, terminalId, posTxnId))!;
}

/** The id's sale or its closed mark, or undefined if the id was never used. */
export async function getPaymentCodeSlot(db: Db, terminalId: string, posTxnId: string): Promise<PaymentCodeSlot | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.paymentCodeSale(terminalId, posTxnId), ConsistentRead: true }));
  if (!Item) return undefined;
  if (Item.closed === true) return { closedAt: String(Item.closedAt) };
  return { sale: withoutKeys(Item) as unknown as PaymentCodeSale };
}

/** The sale under the id; undefined if there is none (never used, or closed unused). */
export async function getPaymentCodeSale(db: Db, terminalId: string, posTxnId: string): Promise<PaymentCodeSale | undefined> {
  const slot = await getPaymentCodeSlot(db, terminalId, posTxnId);
  return slot && 'sale' in slot ? slot.sale : undefined;
}

/** Every sale still pending (the resolver asks about each), oldest timeout first. */
export function listOpenPaymentCodeSales(db: Db): Promise<PaymentCodeSale[]> {
  return listOpenPending<PaymentCodeSale>(db, 'payment_code');
}

/**
 * Records that the platform was asked (and, for a pay call, that it answered), while the sale is
 * still pending. Returns the sale as it is now (unchanged if another path resolved it first).
 */
export async function noteAsked(db: Db, sale: PaymentCodeSale, at: string, answered: boolean): Promise<PaymentCodeSale> {
  return updatePending(db, sale, `SET lastAskedAt = :at, asks = if_not_exists(asks, :zero) + :one${answered ? ', platformAnswered = :true' : ''}`, {
    ':at': at,
    ':zero': 0,
    ':one': 1,
    ...(answered ? { ':true': true } : {}),
  });
}

/** The sale is to be cancelled (the wait is over, or the platform took another amount): from now on it can only be voided, for `refusal`. */
export function requestCancel(db: Db, sale: PaymentCodeSale, at: string, refusal: PaymentCodeRefusal): Promise<PaymentCodeSale> {
  return updatePending(db, sale, 'SET cancelRequestedAt = if_not_exists(cancelRequestedAt, :at), refusal = if_not_exists(refusal, :refusal)', { ':at': at, ':refusal': refusal });
}

async function updatePending(db: Db, sale: PaymentCodeSale, update: string, values: Record<string, unknown>): Promise<PaymentCodeSale> {
  try {
    const { Attributes } = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: paymentCodeSaleKey(sale),
        UpdateExpression: update,
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ...values, ':pending': 'pending' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return withoutKeys(Attributes!) as unknown as PaymentCodeSale;
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    return (await getPaymentCodeSale(db, sale.terminalId, sale.posTxnId)) ?? sale;
  }
}
