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

/** Stores a new sale; if one exists under the terminal's posTxnId already, returns that one instead. */
export async function createPaymentCodeSale(db: Db, sale: PaymentCodeSale): Promise<{ created: true } | { created: false; existing: PaymentCodeSale }> {
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
    const existing = await getPaymentCodeSale(db, sale.terminalId, sale.posTxnId);
    if (!existing) throw error;
    return { created: false, existing };
  }
}

export async function getPaymentCodeSale(db: Db, terminalId: string, posTxnId: string): Promise<PaymentCodeSale | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.paymentCodeSale(terminalId, posTxnId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as PaymentCodeSale) : undefined;
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
