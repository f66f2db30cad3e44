/**
 * The staff sign-in lockout under concurrency, across "Lambda containers" (each call with its own
 * DynamoDB client), on DynamoDB Local: each guess is counted before it is checked (the holders'
 * attempt counter), so parallel guesses cannot get past the lock, and a right password fails once
 * the lock exists. Every counted guess on a real staff account is in the action log with its count.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import type { Deps } from '../../functions/deps';
import type { ActionLogEntry } from '../../functions/domain/action-log';
import { campusDay } from '../../functions/domain/campus-day';
import { hashPassword, PASSWORD_POLICY } from '../../functions/domain/passwords';
import { signInStaff } from '../../functions/services/admin/sessions';
import { listActionLogDay } from '../../functions/store/action-log';
import { createDocumentClient } from '../../functions/store/db';
import { keys } from '../../functions/store/keys';
import { createStaff, getStaff } from '../../functions/store/staff';
import { useTestPlatform } from '../helpers/platform';
import { refusalCode as outcome } from '../helpers/fixtures';

const platform = useTestPlatform();
const FAST = { N: 1_024, r: 8, p: 1, keyLength: 32 };
/** Slow enough (~100 ms) that 29 quick guesses all land while the right one is still hashing. */
const SLOW = { N: 65_536, r: 8, p: 1, keyLength: 32 };
const PASSWORD = 'correct horse battery';
/** Longer than a staff password may be: counted, never hashed, so it lands at once. */
const OVERLONG = 'x'.repeat(200);

/** What a separate Lambda container would be: its own client, nothing shared in memory. */
function container(clock: () => Date = () => new Date()): Pick<Deps, 'db' | 'clock' | 'config'> {
  return { db: { doc: createDocumentClient(readConfig()), tableName: platform.deps.db.tableName }, clock, config: platform.deps.config };
}

let staffSeq = 0;
async function staffWith(params = FAST): Promise<string> {
  const username = `op.lock${++staffSeq}`;
  const now = new Date();
  await createStaff(platform.deps.db, { username, role: 'operator', status: 'active', password: await hashPassword(PASSWORD, { now, params }), version: 0, createdAt: now.toISOString() });
  return username;
}

const tally = (codes: string[]) => codes.reduce<Record<string, number>>((counts, code) => ({ ...counts, [code]: (counts[code] ?? 0) + 1 }), {});

async function logOf(username: string): Promise<ActionLogEntry[]> {
  const days = [...new Set([campusDay(new Date(Date.now() - 10 * 60_000)), campusDay(new Date())])];
  const entries: ActionLogEntry[] = [];
  for (const day of days) entries.push(...(await listActionLogDay(platform.deps.db, day, { limit: 1000 })).entries);
  return entries.filter((entry) => entry.target === `staff:${username}`);
}

const LAST_WRONG = PASSWORD_POLICY.maxFailedAttempts - 1;

describe('staff sign-in lockout under concurrency', () => {
  it('29 concurrent wrong passwords: exactly four UNAUTHENTICATED, then the lock; no BUSY_RETRY; five refusals logged', async () => {
    const username = await staffWith();
    const codes = await Promise.all(Array.from({ length: 29 }, () => outcome(signInStaff(container(), username, 'wrong password!'))));
    expect(tally(codes)).toEqual({ UNAUTHENTICATED: LAST_WRONG, PASSWORD_LOCKED: 29 - LAST_WRONG });
    const staff = await getStaff(platform.deps.db, username);
    expect(Date.parse(staff!.lockedUntil!)).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(await outcome(signInStaff(container(), username, PASSWORD))).toBe('PASSWORD_LOCKED');
    // Only counted tries are logged: the four wrong ones and the one that set the lock.
    const refused = (await logOf(username)).filter((entry) => entry.action === 'session.refused');
    expect(refused).toHaveLength(PASSWORD_POLICY.maxFailedAttempts);
    expect(refused.filter((entry) => entry.details.locked === true)).toHaveLength(1);
  });

  it('a right password whose check began before the lock is refused once the lock exists, and starts no session (3 bursts)', async () => {
    for (let burst = 0; burst < 3; burst++) {
      const username = await staffWith(SLOW);
      const right = outcome(signInStaff(container(), username, PASSWORD));
      // Once the right one is counted (and hashing), overlong guesses, counted without hashing, lock the account.
      const until = Date.now() + 1_000;
      while (Date.now() < until && (await getStaff(platform.deps.db, username))?.failedAttempts !== 1) await new Promise((resolve) => setTimeout(resolve, 1));
      const wrong = await Promise.all(Array.from({ length: 29 }, () => outcome(signInStaff(container(), username, OVERLONG))));
      expect(await right).toBe('PASSWORD_LOCKED');
      // The right one held one of the five counted tries: three wrong answered UNAUTHENTICATED, the fourth set the lock.
      expect(tally(wrong)).toEqual({ UNAUTHENTICATED: LAST_WRONG - 1, PASSWORD_LOCKED: 29 - (LAST_WRONG - 1) });
      expect((await logOf(username)).some((entry) => entry.action === 'session.start')).toBe(false);
    }
  });

  it('30 concurrent tries, 29 wrong and one right (5 bursts): no 503, never more than four wrong answered, the right one never after a lock', async () => {
    for (let burst = 0; burst < 5; burst++) {
      const username = await staffWith();
      const rightAt = Math.floor(Math.random() * 30);
      const codes = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(signInStaff(container(), username, i === rightAt ? PASSWORD : 'wrong password!'))));
      expect(codes.every((code) => ['OK', 'UNAUTHENTICATED', 'PASSWORD_LOCKED'].includes(code))).toBe(true);
      // A right password that signs in resets the count (the policy), so the wrong ones counted after it start again:
      // at most four wrong before the lock, or four before the sign-in and four after.
      const wrongAnswered = codes.filter((code, i) => i !== rightAt && code === 'UNAUTHENTICATED').length;
      expect(wrongAnswered).toBeLessThanOrEqual(codes[rightAt] === 'OK' ? 2 * LAST_WRONG : LAST_WRONG);
      const log = await logOf(username);
      if (codes[rightAt] === 'OK') expect(log.filter((entry) => entry.action === 'session.start')).toHaveLength(1);
      else {
        expect(codes[rightAt]).toBe('PASSWORD_LOCKED');
        expect((await getStaff(platform.deps.db, username))!.lockedUntil).toBeDefined();
        expect(log.some((entry) => entry.action === 'session.start')).toBe(false);
      }
    }
  });

  it('one at a time: four wrong then right signs in and resets; five wrong lock for 30 minutes; unknown and disabled never lock', async () => {
    let now = new Date('2026-11-23T02:00:00.000Z');
    const at = () => container(() => now);
    const username = await staffWith();
    for (let i = 0; i < LAST_WRONG; i++) expect(await outcome(signInStaff(at(), username, 'wrong password!'))).toBe('UNAUTHENTICATED');
    expect(await outcome(signInStaff(at(), username, PASSWORD))).toBe('OK');
    expect((await getStaff(platform.deps.db, username))?.failedAttempts).toBe(0);
    for (let i = 0; i < LAST_WRONG; i++) expect(await outcome(signInStaff(at(), username, 'wrong password!'))).toBe('UNAUTHENTICATED');
    expect(await outcome(signInStaff(at(), username, 'wrong password!'))).toBe('PASSWORD_LOCKED');
    now = new Date(now.getTime() + 29 * 60_000);
    expect(await outcome(signInStaff(at(), username, PASSWORD))).toBe('PASSWORD_LOCKED');
    now = new Date(now.getTime() + 60_000);
    expect(await outcome(signInStaff(at(), username, PASSWORD))).toBe('OK');
    const staff = await getStaff(platform.deps.db, username);
    expect(staff).toMatchObject({ failedAttempts: 0 });
    expect(staff?.lockedUntil).toBeUndefined();

    for (let i = 0; i < 7; i++) expect(await outcome(signInStaff(at(), 'nobody.here', 'wrong password!'))).toBe('UNAUTHENTICATED');
    expect(await getStaff(platform.deps.db, 'nobody.here')).toBeUndefined();

    const leaver = await staffWith();
    await platform.deps.db.doc.send(
      new UpdateCommand({ TableName: platform.deps.db.tableName, Key: keys.staff(leaver), UpdateExpression: 'SET #status = :disabled', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':disabled': 'disabled' } }),
    );
    for (let i = 0; i < 7; i++) expect(await outcome(signInStaff(at(), leaver, i === 6 ? PASSWORD : 'wrong password!'))).toBe('UNAUTHENTICATED');
  });
});
