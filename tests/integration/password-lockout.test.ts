/**
 * The password lockout under concurrency, across "Lambda containers" (each call with its own
 * DynamoDB client), on DynamoDB Local: a wrong try is counted before any answer, and a right one
 * fails once the lock exists.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import type { Deps } from '../../functions/deps';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, PASSWORD_POLICY, type PasswordKind } from '../../functions/domain/passwords';
import { changeHolderPassword, verifyHolderPassword } from '../../functions/services/passwords';
import { createDocumentClient } from '../../functions/store/db';
import { getPasswordRecord, savePasswordRecord } from '../../functions/store/passwords';
import { createTestAccount, refusalCode as outcome } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();
const FAST = { N: 1_024, r: 8, p: 1, keyLength: 32 };
/** Slow enough (~100 ms) that 29 quick guesses all land while the right one is still hashing. */
const SLOW = { N: 65_536, r: 8, p: 1, keyLength: 32 };

/** What a separate Lambda container would be: its own client, nothing shared in memory. */
function container(clock: () => Date = () => new Date()): Pick<Deps, 'db' | 'clock'> {
  return { db: { doc: createDocumentClient(readConfig()), tableName: platform.deps.db.tableName }, clock };
}

async function accountWith(password: string, kind: PasswordKind = 'query', params = FAST) {
  const account = await createTestAccount(platform.deps);
  await savePasswordRecord(platform.deps.db, account.accountNo, kind, await hashPassword(password, { now: new Date(), params }), undefined);
  return account.accountNo;
}

const tally = (codes: string[]) => codes.reduce<Record<string, number>>((counts, code) => ({ ...counts, [code]: (counts[code] ?? 0) + 1 }), {});

describe('password lockout under concurrency', () => {
  it.each(['query', 'consumption'] as const)('29 concurrent wrong %s passwords: exactly four WRONG, then the lock; no BUSY_RETRY', async (kind) => {
    const accountNo = await accountWith('112233', kind, DEFAULT_SCRYPT_PARAMS);
    const codes = await Promise.all(Array.from({ length: 29 }, () => outcome(verifyHolderPassword(container(), accountNo, kind, '000000'))));
    expect(tally(codes)).toEqual({ PASSWORD_WRONG: PASSWORD_POLICY.maxFailedAttempts - 1, PASSWORD_LOCKED: 29 - (PASSWORD_POLICY.maxFailedAttempts - 1) });
    const record = await getPasswordRecord(platform.deps.db, accountNo, kind);
    expect(Date.parse(record!.lockedUntil!)).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(await outcome(verifyHolderPassword(container(), accountNo, kind, '112233'))).toBe('PASSWORD_LOCKED');
  });

  it('a right password whose check began before the lock is refused once the lock exists (3 bursts)', async () => {
    for (let burst = 0; burst < 3; burst++) {
      const accountNo = await accountWith('112233', 'query', SLOW);
      const right = outcome(verifyHolderPassword(container(), accountNo, 'query', '112233'));
      // Once the right one is counted (and hashing), malformed guesses, counted without hashing, lock the password.
      const until = Date.now() + 1_000; // (code that counts only after checking never gets there)
      while (Date.now() < until && (await getPasswordRecord(platform.deps.db, accountNo, 'query'))?.failedAttempts !== 1) await new Promise((resolve) => setTimeout(resolve, 1));
      const wrong = await Promise.all(Array.from({ length: 29 }, () => outcome(verifyHolderPassword(container(), accountNo, 'query', '00000'))));
      expect(await right).toBe('PASSWORD_LOCKED');
      // The right one held one of the five counted tries: three wrong answered WRONG, the fourth wrong set the lock.
      expect(tally(wrong)).toEqual({ PASSWORD_WRONG: PASSWORD_POLICY.maxFailedAttempts - 2, PASSWORD_LOCKED: 29 - (PASSWORD_POLICY.maxFailedAttempts - 2) });
    }
  });

  it('30 concurrent tries, 29 wrong and one right (5 bursts): no 503, never more than four WRONG on either side of a right one, the right one never after a lock', async () => {
    for (let burst = 0; burst < 5; burst++) {
      const accountNo = await accountWith('112233', 'query', DEFAULT_SCRYPT_PARAMS);
      const rightAt = Math.floor(Math.random() * 30);
      const codes = await Promise.all(
        Array.from({ length: 30 }, (_, i) => outcome(verifyHolderPassword(container(), accountNo, 'query', i === rightAt ? '112233' : '000000'))),
      );
      const wrong = codes.filter((_, i) => i !== rightAt);
      expect(codes.every((code) => ['OK', 'PASSWORD_WRONG', 'PASSWORD_LOCKED'].includes(code))).toBe(true);
      // A right password resets the count (the policy), so when it passes, up to four wrong may come before it and four after.
      const allowed = (PASSWORD_POLICY.maxFailedAttempts - 1) * (codes[rightAt] === 'OK' ? 2 : 1);
      expect(wrong.filter((code) => code === 'PASSWORD_WRONG').length).toBeLessThanOrEqual(allowed);
      const record = await getPasswordRecord(platform.deps.db, accountNo, 'query');
      if (codes[rightAt] !== 'OK') {
        expect(codes[rightAt]).toBe('PASSWORD_LOCKED');
        expect(record!.lockedUntil).toBeDefined();
      }
    }
  });

  it('one at a time, the policy holds: four wrong then right passes and resets; five wrong lock for 30 minutes', async () => {
    let now = new Date('2026-11-23T02:00:00.000Z');
    const at = () => container(() => now);
    const accountNo = await accountWith('112233');
    for (let i = 0; i < 4; i++) expect(await outcome(verifyHolderPassword(at(), accountNo, 'query', '000000'))).toBe('PASSWORD_WRONG');
    expect(await outcome(verifyHolderPassword(at(), accountNo, 'query', '112233'))).toBe('OK');
    expect((await getPasswordRecord(platform.deps.db, accountNo, 'query'))?.failedAttempts).toBe(0);
    for (let i = 0; i < 4; i++) expect(await outcome(verifyHolderPassword(at(), accountNo, 'query', '000000'))).toBe('PASSWORD_WRONG');
    expect(await outcome(verifyHolderPassword(at(), accountNo, 'query', '000000'))).toBe('PASSWORD_LOCKED');
    now = new Date(now.getTime() + 29 * 60_000);
    expect(await outcome(verifyHolderPassword(at(), accountNo, 'query', '112233'))).toBe('PASSWORD_LOCKED');
    now = new Date(now.getTime() + 60_000);
    expect(await outcome(verifyHolderPassword(at(), accountNo, 'query', '112233'))).toBe('OK');
    const record = await getPasswordRecord(platform.deps.db, accountNo, 'query');
    expect(record).toMatchObject({ failedAttempts: 0 });
    expect(record?.lockedUntil).toBeUndefined();
  });

  it('the fifth try may be the right one: it passes and lifts the lock it took', async () => {
    const accountNo = await accountWith('112233');
    for (let i = 0; i < 4; i++) await outcome(verifyHolderPassword(container(), accountNo, 'query', '000000'));
    expect(await outcome(verifyHolderPassword(container(), accountNo, 'query', '112233'))).toBe('OK');
    expect(await outcome(verifyHolderPassword(container(), accountNo, 'query', '000000'))).toBe('PASSWORD_WRONG');
  });

  it('no password set: PASSWORD_NOT_SET, and nothing is written', async () => {
    const account = await createTestAccount(platform.deps);
    expect(await outcome(verifyHolderPassword(container(), account.accountNo, 'query', '112233'))).toBe('PASSWORD_NOT_SET');
    expect(await getPasswordRecord(platform.deps.db, account.accountNo, 'query')).toBeUndefined();
  });
});

describe('changing a password (counted like any check)', () => {
  it.each<[string, string, string, { code: string; failedAttempts: number }]>([
    ['a wrong old password', '000000', '246810', { code: 'PASSWORD_WRONG', failedAttempts: 1 }],
    ['an invalid new password costs no attempt', '000000', '24681', { code: 'PASSWORD_INVALID', failedAttempts: 0 }],
    ['the new equal to the old (the old one was right)', '112233', '112233', { code: 'PASSWORD_UNCHANGED', failedAttempts: 0 }],
    ['the right old password', '112233', '246810', { code: 'OK', failedAttempts: 0 }],
  ])('%s', async (_case, oldPassword, newPassword, expected) => {
    const accountNo = await accountWith('112233');
    expect(await outcome(changeHolderPassword(container(), accountNo, 'query', oldPassword, newPassword))).toBe(expected.code);
    const record = await getPasswordRecord(platform.deps.db, accountNo, 'query');
    expect(record?.failedAttempts).toBe(expected.failedAttempts);
    expect(await outcome(verifyHolderPassword(container(), accountNo, 'query', expected.code === 'OK' ? newPassword : '112233'))).toBe('OK');
  });

  it('a locked password cannot be changed, even with an invalid new one', async () => {
    const accountNo = await accountWith('112233');
    for (let i = 0; i < PASSWORD_POLICY.maxFailedAttempts; i++) await outcome(verifyHolderPassword(container(), accountNo, 'query', '000000'));
    expect(await outcome(changeHolderPassword(container(), accountNo, 'query', '112233', '246810'))).toBe('PASSWORD_LOCKED');
    expect(await outcome(changeHolderPassword(container(), accountNo, 'query', '112233', '2468'))).toBe('PASSWORD_LOCKED');
  });
});
