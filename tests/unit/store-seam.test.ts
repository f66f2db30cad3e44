/**
 * The store seam's two helpers, on the error shapes DynamoDB and the SDK really produce: what a
 * refused write means (functions/store/conditions.ts), and the versioned-update retry
 * (functions/store/version-retry.ts).
 */
import { ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { cancellationReasons, conditionFailedAt, failedItems, isConditionFailed, isTransactionConflict, transactWrite } from '../../functions/store/conditions';
import type { Db } from '../../functions/store/db';
import { withVersionRetry } from '../../functions/store/version-retry';

const meta = { $metadata: {} };
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ ...meta, message: `Transaction cancelled [${codes.join(', ')}]`, CancellationReasons: codes.map((Code) => ({ Code })) });
/** What a test fake or a second SDK copy throws: the right name, another class. */
const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name }, extra);

describe('what a refused write means', () => {
  it.each<[string, unknown, { condition: boolean; failed: number[]; conflict: boolean; reasons: number | undefined }]>([
    ['a single write whose condition failed', new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' }), { condition: true, failed: [0], conflict: false, reasons: undefined }],
    ['the same, by name only (a fake)', named('ConditionalCheckFailedException'), { condition: true, failed: [0], conflict: false, reasons: undefined }],
    ['a transaction whose second item failed its condition', cancelled('None', 'ConditionalCheckFailed', 'None'), { condition: false, failed: [1], conflict: false, reasons: 3 }],
    ['a transaction with two failed conditions', cancelled('ConditionalCheckFailed', 'None', 'ConditionalCheckFailed'), { condition: false, failed: [0, 2], conflict: false, reasons: 3 }],
    ['a transaction cancelled by a conflict only', cancelled('None', 'TransactionConflict', 'None'), { condition: false, failed: [], conflict: true, reasons: 3 }],
    ['a conflict and a failed condition: the condition decides', cancelled('TransactionConflict', 'ConditionalCheckFailed'), { condition: false, failed: [1], conflict: false, reasons: 2 }],
    ['a transaction cancelled by throttling', cancelled('ThrottlingError', 'None'), { condition: false, failed: [], conflict: false, reasons: 2 }],
    ['a transaction cancelled by validation', cancelled('ValidationError'), { condition: false, failed: [], conflict: false, reasons: 1 }],
    ['a cancellation by name only, without reasons', named('TransactionCanceledException'), { condition: false, failed: [], conflict: false, reasons: 0 }],
    ['a TransactionConflictException', new TransactionConflictException({ ...meta, message: 'conflict' }), { condition: false, failed: [], conflict: true, reasons: undefined }],
    ['a network error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { condition: false, failed: [], conflict: false, reasons: undefined }],
    ['an AppError', new AppError('BUSY_RETRY'), { condition: false, failed: [], conflict: false, reasons: undefined }],
    ['not an Error at all', { name: 'ConditionalCheckFailedException' }, { condition: false, failed: [], conflict: false, reasons: undefined }],
  ])('%s', (_name, error, expected) => {
    expect(isConditionFailed(error)).toBe(expected.condition);
    expect(failedItems(error)).toEqual(expected.failed);
    expect(isTransactionConflict(error)).toBe(expected.conflict);
    expect(cancellationReasons(error)?.length).toBe(expected.reasons);
    for (const index of [0, 1, 2]) expect(conditionFailedAt(error, index)).toBe(expected.failed.includes(index));
  });

  it('keeps the item a failed condition returned (ALL_OLD)', () => {
    const error = Object.assign(new ConditionalCheckFailedException({ ...meta, message: 'failed' }), { Item: { failedAttempts: { N: '3' } } });
    expect(isConditionFailed(error) && error.Item).toEqual({ failedAttempts: { N: '3' } });
  });
});

/** A Db whose client answers each TransactWriteItems with the next of `answers` (an error to throw, or success). */
function scriptedDb(answers: (Error | 'ok')[]): Db & { sent: number } {
  const db = {
    tableName: 't',
    sent: 0,
    doc: {
      send: (async () => {
        const answer = answers[db.sent++] ?? 'ok';
        if (answer !== 'ok') throw answer;
        return {};
      }) as never,
    },
  };
  return db;
}

describe('transactWrite', () => {
  it('sends a transaction cancelled only by a conflict again, until it lands', async () => {
    const db = scriptedDb([cancelled('TransactionConflict'), cancelled('None', 'TransactionConflict'), 'ok']);
    await transactWrite(db, []);
    expect(db.sent).toBe(3);
  });

  it('throws a failed condition at once, for the caller to read', async () => {
    const db = scriptedDb([cancelled('None', 'ConditionalCheckFailed')]);
    await expect(transactWrite(db, [])).rejects.toSatisfy((error) => conditionFailedAt(error, 1));
    expect(db.sent).toBe(1);
  });

  it('gives a conflict that never clears back after a few tries', async () => {
    const db = scriptedDb(Array.from({ length: 10 }, () => cancelled('TransactionConflict')));
    await expect(transactWrite(db, [])).rejects.toSatisfy(isTransactionConflict);
    expect(db.sent).toBe(4);
  });
});

describe('withVersionRetry', () => {
  it('reads again and decides again while the version condition fails, and returns what lands', async () => {
    let version = 0;
    const seen: number[] = [];
    const result = await withVersionRetry(
      async () => ++version,
      async (read) => {
        seen.push(read);
        return read >= 3 && `landed on ${read}`;
      },
    );
    expect(result).toBe('landed on 3');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('retries a transaction conflict thrown by the write like a failed condition', async () => {
    let calls = 0;
    const result = await withVersionRetry(
      async () => undefined,
      async () => {
        if (++calls < 3) throw cancelled('TransactionConflict');
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('ends in BUSY_RETRY after the attempts (5 unless told)', async () => {
    let reads = 0;
    await expect(withVersionRetry(async () => reads++, async () => false, { what: 'test' })).rejects.toMatchObject({ code: 'BUSY_RETRY' });
    expect(reads).toBe(5);
    reads = 0;
    await expect(withVersionRetry(async () => reads++, async () => false, { attempts: 2 })).rejects.toMatchObject({ code: 'BUSY_RETRY' });
    expect(reads).toBe(2);
  });

  it('passes a refusal or any other error through at once', async () => {
    let reads = 0;
    const refusal = new AppError('CARD_CANCELLED');
    await expect(withVersionRetry(async () => reads++, async () => Promise.reject(refusal))).rejects.toBe(refusal);
    const throttled = cancelled('ThrottlingError');
    await expect(withVersionRetry(async () => reads++, async () => Promise.reject(throttled))).rejects.toBe(throttled);
    await expect(withVersionRetry(async () => Promise.reject(new AppError('ACCOUNT_NOT_FOUND')), async () => 'never')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    expect(reads).toBe(2);
  });
});
