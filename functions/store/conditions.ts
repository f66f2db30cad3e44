/**
 * What a refused write means, decided in one place. DynamoDB says "a condition failed" in two ways:
 * a single write throws ConditionalCheckFailedException (carrying the item as it was when the write
 * asked for ALL_OLD); a transaction throws TransactionCanceledException with one reason per item, in
 * the order written, `ConditionalCheckFailed` on each item whose condition failed. A transaction is
 * also cancelled for reasons that say nothing about our conditions (TransactionConflict: another
 * transaction was on one of its items; ThrottlingError; ValidationError): those are never "the item
 * changed". Errors are told apart by name, not class: a test fake or a second copy of the SDK makes
 * errors of its own classes with the same names.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db';
import type { TransactItem } from './movements';

export interface CancellationReason {
  Code?: string | undefined;
  Message?: string | undefined;
  /** The item as it was, when the transaction item asked for ReturnValuesOnConditionCheckFailure ALL_OLD (still marshalled). */
  Item?: Record<string, unknown> | undefined;
}

/** A single write (Put, Update, Delete) refused because its condition was false. */
export function isConditionFailed(error: unknown): error is Error & { Item?: Record<string, unknown> } {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The per-item reasons of a cancelled transaction, in item order; undefined for any other error. */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  return (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

/**
 * The indexes of the items whose condition failed: in a cancelled transaction, those reasons; for a
 * single write refused on its condition, [0] (its one item); for anything else, none.
 */
export function failedItems(error: unknown): number[] {
  if (isConditionFailed(error)) return [0];
  const reasons = cancellationReasons(error) ?? [];
  return reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
}

/** True when item `index` of the refused write (0 for a single write) failed its condition. */
export function conditionFailedAt(error: unknown, index: number): boolean {
  return failedItems(error).includes(index);
}

/**
 * True when the write lost a race with another transaction and no condition was judged false: the
 * same write, sent again, may land. (DynamoDB Local never produces it; DynamoDB does under contention.)
 */
export function isTransactionConflict(error: unknown): boolean {
  if (error instanceof Error && error.name === 'TransactionConflictException') return true;
  const reasons = cancellationReasons(error);
  return reasons !== undefined && failedItems(error).length === 0 && reasons.some((reason) => reason.Code === 'TransactionConflict');
}

/** How many times a transaction cancelled only by a conflict is sent again before its error is thrown. */
const CONFLICT_ATTEMPTS = 4;

/**
 * One TransactWriteItems, sent again (after a short jittered pause) when it was cancelled only by a
 * conflict with another transaction. A failed condition, or any other refusal, is thrown for the
 * caller to read with `failedItems`.
 */
export async function transactWrite(db: Db, items: TransactItem[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (attempt >= CONFLICT_ATTEMPTS || !isTransactionConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}

/**
 * Commits `items` in one transaction (as transactWrite); false when the first item's condition
 * failed (what it guards exists already or has changed), anything else thrown.
 */
export async function transactWriteIfFirstHolds(db: Db, items: TransactItem[]): Promise<boolean> {
  try {
    await transactWrite(db, items);
    return true;
  } catch (error) {
    if (conditionFailedAt(error, 0)) return false;
    throw error;
  }
}
