/**
 * Kiosk bank transfer intents (functions/domain/bank-transfer.ts). An open intent (pending or
 * reversing) sits in a sparse index (gsi2 BANKXFER#OPEN) so the reconciler finds it; every status
 * change is conditional on the status it leaves, so racing paths settle an intent once.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BankTransferIntent, BankTransferStatus } from '../domain/bank-transfer';
import { campusDay } from '../domain/campus-day';
import { isConditionFailed } from './conditions';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

/** Stores a new intent; if one exists under the id already, returns that one instead. */
export async function createBankTransferIntent(db: Db, intent: BankTransferIntent): Promise<{ created: true } | { created: false; existing: BankTransferIntent }> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.bankTransfer(intent.terminalId, intent.transferId),
          ...keys.openBankTransferIndex(intent.createdAt, intent.terminalId, intent.transferId),
          // By the day it was made, for good: the bank statement of that day is checked against it.
          ...keys.bankTransferDayIndex(campusDay(new Date(intent.createdAt)), intent.createdAt, intent.terminalId, intent.transferId),
          ...intent,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { created: true };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    // Re-read rather than ALL_OLD: the document client does not unmarshal an exception's item.
    const existing = await getBankTransferIntent(db, intent.terminalId, intent.transferId);
    if (!existing) throw error;
    return { created: false, existing };
  }
}

export async function getBankTransferIntent(db: Db, terminalId: string, transferId: string): Promise<BankTransferIntent | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.bankTransfer(terminalId, transferId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as BankTransferIntent) : undefined;
}

/** Open intents (pending or reversing) made before `before` (ISO), oldest first. */
export async function listOpenBankTransfers(db: Db, before: string): Promise<BankTransferIntent[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :open AND gsi2sk < :before',
    ExpressionAttributeValues: { ':open': keys.openBankTransferPartition, ':before': before },
  });
  return items.map((item) => withoutKeys(item) as unknown as BankTransferIntent);
}

/** The intent's side of the credit, committed with the money: credited, only while still pending. */
export function markBankTransferCreditedItem(db: Db, intent: BankTransferIntent, credited: { bankTxnId: string; receiptNo: string; at: string }): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.bankTransfer(intent.terminalId, intent.transferId),
      UpdateExpression: 'SET #status = :credited, bankTxnId = :txn, receiptNo = :receipt, updatedAt = :at REMOVE gsi2pk, gsi2sk',
      ConditionExpression: '#status = :pending AND amountFen = :amount',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':credited': 'credited' satisfies BankTransferStatus,
        ':pending': 'pending' satisfies BankTransferStatus,
        ':txn': credited.bankTxnId,
        ':receipt': credited.receiptNo,
        ':at': credited.at,
        ':amount': intent.amountFen,
      },
    },
  };
}

type Settled = Pick<BankTransferIntent, 'refusal' | 'voidReason' | 'reversalId' | 'bankTxnId'>;

/**
 * Moves an intent from one status to another (with what the bank said), only if it is still in
 * `from`. Leaving the open statuses takes it out of the reconciler's index. Returns the intent as
 * it is now: the change made, or whatever another path made first.
 */
export async function changeBankTransferStatus(
  db: Db,
  intent: BankTransferIntent,
  from: BankTransferStatus,
  to: BankTransferStatus,
  at: string,
  fields: Settled = {},
): Promise<BankTransferIntent> {
  const set = Object.entries(fields).filter(([, value]) => value !== undefined);
  const stillOpen = to === 'pending' || to === 'reversing';
  try {
    const { Attributes } = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.bankTransfer(intent.terminalId, intent.transferId),
        UpdateExpression: `SET ${['#status = :to', 'updatedAt = :at', ...set.map(([name], i) => `${name} = :f${i}`)].join(', ')}${stillOpen ? '' : ' REMOVE gsi2pk, gsi2sk'}`,
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':to': to, ':from': from, ':at': at, ...Object.fromEntries(set.map(([, value], i) => [`:f${i}`, value])) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return withoutKeys(Attributes!) as unknown as BankTransferIntent;
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const now = await getBankTransferIntent(db, intent.terminalId, intent.transferId);
    if (!now) throw error;
    return now;
  }
}
