/**
 * Kiosk bank transfer intents (functions/domain/bank-transfer.ts). The intent's money is a pending
 * transfer (functions/store/pending.ts): while pending it is in the open index of `bank_transfer`;
 * a voided one whose debit the bank has not confirmed reversed yet sits in a sparse index of its own
 * (gsi2 BANKXFER#REVERSING). Every status change is conditional on the status it leaves, and writes
 * the pending state that goes with it (BANK_TRANSFER_STATE), so racing paths settle an intent once.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BANK_TRANSFER_STATE, type BankTransferIntent, type BankTransferStatus } from '../domain/bank-transfer';
import { campusDay } from '../domain/campus-day';
import type { PendingOutcome } from '../domain/pending';
import { isConditionFailed } from './conditions';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import { assignments } from './update-expression';
import type { TransactItem } from './movements';
import { listOpenWithFollowUps, openPendingAttributes, resolvePendingItem } from './pending';

/** Stores a new intent; if one exists under the id already, returns that one instead. */
export async function createBankTransferIntent(db: Db, intent: BankTransferIntent): Promise<{ created: true } | { created: false; existing: BankTransferIntent }> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.bankTransfer(intent.terminalId, intent.transferId),
          // By the day it was made, for good: the bank statement of that day is checked against it.
          ...keys.bankTransferDayIndex(campusDay(new Date(intent.createdAt)), intent.createdAt, intent.terminalId, intent.transferId),
          ...intent,
          ...openPendingAttributes(intent, intent.bankTransferId),
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

/** Open intents (pending, or reversing) made before `before` (ISO), oldest first. */
export function listOpenBankTransfers(db: Db, before: string): Promise<BankTransferIntent[]> {
  return listOpenWithFollowUps<BankTransferIntent>(db, 'bank_transfer', keys.reversingBankTransferIndex('', '', '').gsi2pk, before);
}

/** The intent's side of the credit, committed with the money: its pending transfer posted, only while still pending and for the amount asked. */
export function markBankTransferCreditedItem(db: Db, intent: BankTransferIntent, credited: { bankTxnId: string; receiptNo: string; at: string }): TransactItem {
  return resolvePendingItem(db, keys.bankTransfer(intent.terminalId, intent.transferId), 'posted', credited.at, {
    set: { status: 'credited' satisfies BankTransferStatus, bankTxnId: credited.bankTxnId, receiptNo: credited.receiptNo, updatedAt: credited.at },
    condition: 'amountFen = :amount',
    values: { ':amount': intent.amountFen },
  });
}

type Settled = Pick<BankTransferIntent, 'refusal' | 'voidReason' | 'reversalId' | 'bankTxnId'>;

/**
 * Moves an intent from one status to another (with what the bank said), only if it is still in
 * `from`. Leaving `pending` resolves its pending transfer (voided or expired); entering `reversing`
 * puts it in the reversals' index, leaving it takes it out. Returns the intent as it is now: the
 * change made, or whatever another path made first.
 */
export async function changeBankTransferStatus(
  db: Db,
  intent: BankTransferIntent,
  from: 'pending' | 'reversing',
  to: Exclude<BankTransferStatus, 'pending' | 'credited'>,
  at: string,
  fields: Settled = {},
): Promise<BankTransferIntent> {
  const key = keys.bankTransfer(intent.terminalId, intent.transferId);
  const set: Record<string, unknown> = {
    status: to,
    updatedAt: at,
    ...fields,
    ...(to === 'reversing' ? keys.reversingBankTransferIndex(intent.createdAt, intent.terminalId, intent.transferId) : {}),
  };
  const update =
    from === 'pending'
      ? resolvePendingItem(db, key, BANK_TRANSFER_STATE[to] as PendingOutcome, at, { set, resolution: to === 'reversing' ? `reversing:${fields.voidReason ?? ''}` : to })
      : plainUpdate(db, key, set, from);
  try {
    const { Attributes } = await db.doc.send(new UpdateCommand({ ...update.Update!, ReturnValues: 'ALL_NEW' }));
    return withoutKeys(Attributes!) as unknown as BankTransferIntent;
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const now = await getBankTransferIntent(db, intent.terminalId, intent.transferId);
    if (!now) throw error;
    return now;
  }
}

/** A status change after the pending transfer was resolved (a reversal the bank answered): out of the reversals' index. */
function plainUpdate(db: Db, key: { pk: string; sk: string }, set: Record<string, unknown>, from: BankTransferStatus): TransactItem {
  const fields = assignments(set);
  return {
    Update: {
      TableName: db.tableName,
      Key: key,
      UpdateExpression: `SET ${fields.clauses.join(', ')} REMOVE gsi2pk, gsi2sk`,
      ConditionExpression: '#status = :from',
      ExpressionAttributeNames: { '#status': 'status', ...fields.names },
      ExpressionAttributeValues: { ':from': from, ...fields.values },
    },
  };
}
