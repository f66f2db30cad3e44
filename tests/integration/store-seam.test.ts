/**
 * The store seam on DynamoDB Local: a store write that must commit with others takes them as
 * `alsoWrite` (no client proxy rewriting commands), and a refused transaction is read precisely: a
 * failed condition is "changed meanwhile" (false), a conflict with another transaction is sent again,
 * anything else is thrown (it used to be read as "the account changed").
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { changeAccountStatus, getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { issueCard, listCards } from '../../functions/store/cards';
import type { Db, DocSend } from '../../functions/store/db';
import { getOfflineRecord, holdOfflineRecord } from '../../functions/store/offline';
import { getPolicy, putPolicy } from '../../functions/store/policy';
import { actionLogPut } from '../../functions/services/admin/action-log';
import { createTestAccount } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();
const actor = { username: 'sup.seam', role: 'administrator' as const };

/** The platform's client, with the first `times` TransactWriteItems cancelled with `codes` instead of sent. */
function cancelling(times: number, codes: string[]): Db & { left: () => number } {
  const real = platform.deps.db.doc.send.bind(platform.deps.db.doc) as (...args: unknown[]) => Promise<unknown>;
  let left = times;
  const send = (async (command: unknown, ...rest: unknown[]) => {
    if (left > 0 && command instanceof TransactWriteCommand) {
      left--;
      throw new TransactionCanceledException({ message: `Transaction cancelled [${codes.join(', ')}]`, $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
    }
    return real(command, ...rest);
  }) as DocSend['send'];
  return { doc: { send }, tableName: platform.deps.db.tableName, left: () => left };
}

/** A put whose condition always fails: an extra item that cannot be written. */
function unwritable(): { Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string } } {
  return { Put: { TableName: platform.tableName, Item: { pk: 'SEAM#never', sk: 'SEAM' }, ConditionExpression: 'attribute_exists(pk)' } };
}

async function logEntries(target: string) {
  return (await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 })).entries.filter((entry) => entry.target === target);
}

const at = () => new Date().toISOString();

describe('changeAccountStatus reads a refused transaction precisely', () => {
  it('a conflict with another transaction is sent again and lands', async () => {
    const account = await createTestAccount(platform.deps);
    const db = cancelling(2, ['None', 'TransactionConflict']);
    expect(await changeAccountStatus(db, account, 'frozen', undefined, at())).toBe(true);
    expect(db.left()).toBe(0);
    expect((await getAccount(platform.deps.db, account.accountNo))?.status).toBe('frozen');
  });

  it('a stale version is "changed meanwhile": false, nothing written', async () => {
    const account = await createTestAccount(platform.deps);
    expect(await changeAccountStatus(platform.deps.db, account, 'frozen', undefined, at())).toBe(true);
    expect(await changeAccountStatus(platform.deps.db, account, 'lost', undefined, at())).toBe(false);
    expect((await getAccount(platform.deps.db, account.accountNo))?.status).toBe('frozen');
  });

  it('any other cancellation (throttling) is thrown, not taken for a change', async () => {
    const account = await createTestAccount(platform.deps);
    await expect(changeAccountStatus(cancelling(1, ['ThrottlingError']), account, 'frozen', undefined, at())).rejects.toThrow(TransactionCanceledException);
    expect((await getAccount(platform.deps.db, account.accountNo))?.status).toBe('active');
  });

  it('commits its extra items with it, and an extra that cannot be written stops the change (false: decide again)', async () => {
    const account = await createTestAccount(platform.deps);
    const target = `account:${account.accountNo}`;
    const entry = actionLogPut(platform.deps, actor, { action: 'account.unfreeze', target, reason: 'seam test' });
    expect(await changeAccountStatus(platform.deps.db, account, 'frozen', undefined, at(), [{ Put: entry }, unwritable()])).toBe(false);
    expect((await getAccount(platform.deps.db, account.accountNo))?.status).toBe('active');
    expect(await logEntries(target)).toEqual([]);

    expect(await changeAccountStatus(platform.deps.db, account, 'frozen', undefined, at(), [{ Put: entry }])).toBe(true);
    expect((await logEntries(target)).map((logged) => logged.action)).toEqual(['account.unfreeze']);
  });
});

describe('other writes that take their extra items as a parameter', () => {
  it('issueCard: a refused issue leaves no entry; an entry that cannot be written issues no card', async () => {
    const account = await createTestAccount(platform.deps);
    const other = await createTestAccount(platform.deps);
    const card = (accountNo: string, cardId: string) => ({ cardId, accountNo, kind: 'cpu' as const, chipUid: '04SEAM00000001', status: 'active' as const, issuedAt: at(), issuedOn: campusDay(new Date()) });
    const entryFor = (accountNo: string) => actionLogPut(platform.deps, actor, { action: 'card.issue', target: `account:${accountNo}`, reason: 'seam test' });

    await expect(issueCard(platform.deps.db, card(account.accountNo, 'C-SEAM-1'), [unwritable()])).rejects.toThrow(TransactionCanceledException);
    expect(await listCards(platform.deps.db, account.accountNo)).toEqual([]);

    await issueCard(platform.deps.db, card(account.accountNo, 'C-SEAM-1'), [{ Put: entryFor(account.accountNo) }]);
    expect(await logEntries(`account:${account.accountNo}`)).toHaveLength(1);
    // The same chip for another account: CARD_UID_TAKEN (read from the right item), and no entry.
    await expect(issueCard(platform.deps.db, card(other.accountNo, 'C-SEAM-2'), [{ Put: entryFor(other.accountNo) }])).rejects.toMatchObject({ code: 'CARD_UID_TAKEN' });
    expect(await logEntries(`account:${other.accountNo}`)).toEqual([]);
  });

  it('putPolicy: a single put alone, one transaction with extras (all or nothing)', async () => {
    const before = await getPolicy(platform.deps.db);
    await expect(putPolicy(platform.deps.db, { ...before, unfreezeInApp: !before.unfreezeInApp }, 'seam', new Date(), [unwritable()])).rejects.toThrow(TransactionCanceledException);
    expect(await getPolicy(platform.deps.db)).toEqual(before);
    await putPolicy(platform.deps.db, DEFAULT_POLICY, 'seam', new Date());
    expect(await getPolicy(platform.deps.db)).toEqual(DEFAULT_POLICY);
  });
});

describe('holdOfflineRecord', () => {
  it('a conflict is sent again; a record stored meanwhile or a changed account is false; throttling is thrown', async () => {
    const account = await createTestAccount(platform.deps);
    const record = (recordId: string) => ({
      terminalId: 'T-SEAM',
      recordId,
      fingerprint: 'f',
      accountNo: account.accountNo,
      amountFen: 100,
      occurredAt: at(),
      receivedAt: at(),
      result: { outcome: 'held' as const, reason: 'token_reused' as const, frozen: false },
    });
    expect(await holdOfflineRecord(cancelling(1, ['None', 'TransactionConflict']), account, record('R1'), false)).toBe(true);
    const stored = await getOfflineRecord(platform.deps.db, 'T-SEAM', 'R1');
    const fresh = (await getAccount(platform.deps.db, account.accountNo))!;
    expect(await holdOfflineRecord(platform.deps.db, fresh, record('R1'), false)).toBe(false); // stored before
    expect(await holdOfflineRecord(platform.deps.db, account, record('R2'), false)).toBe(false); // stale version
    await expect(holdOfflineRecord(cancelling(1, ['ThrottlingError', 'None']), fresh, record('R3'), false)).rejects.toThrow(TransactionCanceledException);
    expect(stored).toBeDefined();
  });
});
