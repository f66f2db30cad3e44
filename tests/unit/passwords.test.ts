import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../shared/errors';
import {
  DEFAULT_SCRYPT_PARAMS,
  PASSWORD_POLICY,
  afterFailedAttempt,
  afterSuccess,
  defaultPassword,
  guessMatches,
  hashPassword,
  isLocked,
  isValidPassword,
  verifyPasswordHash,
  type PasswordRecord,
  type XPolicy,
} from '../../functions/domain/passwords';

/** Cheap params where a test hashes many times; the defaults are tested on their own below. */
const FAST = { N: 1_024, r: 8, p: 1, keyLength: 32 };
const T0 = new Date('2026-11-23T02:00:00.000Z');
const minutesAfter = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function fastRecord(password: string, isDefault = false) {
  return hashPassword(password, { now: T0, params: FAST, isDefault });
}

describe('default password (last six of the ID number)', () => {
  it.each<[string, string, XPolicy, string | undefined]>([
    ['ID ending in a digit', '110105199003071234', 'drop', '071234'],
    ['ID ending in a digit', '110105199003071234', 'replace', '071234'],
    ['ID ending in X, drop', '11010519900307123X', 'drop', '307123'],
    ['ID ending in X, replace', '11010519900307123X', 'replace', '071231'],
    ['lowercase x, drop', '11010519900307123x', 'drop', '307123'],
    ['lowercase x, replace', '11010519900307123x', 'replace', '071231'],
    ['surrounding spaces', ' 110105199003071234 ', 'drop', '071234'],
    ['old 15-digit ID', '110105900307123', 'drop', '307123'],
    ['passport, letter prefix', 'E12345678', 'drop', '345678'],
    ['HK/Macau permit', 'H01234567', 'replace', '234567'],
    ['passport with a letter in the last six', 'PA12B3456', 'drop', undefined],
    ['too few digits', 'G12345', 'drop', undefined],
    ['too few digits after dropping X', 'AB12345X', 'drop', undefined],
    ['six digits only after replacing X', 'AB12345X', 'replace', '123451'],
    ['empty', '', 'replace', undefined],
  ])('%s: %s (%s) → %s', (_case, idNumber, policy, expected) => {
    expect(defaultPassword(idNumber, policy)).toBe(expected);
  });

  it('every default is a valid password', () => {
    for (const policy of ['drop', 'replace'] as const) {
      const password = defaultPassword('11010519900307123X', policy);
      expect(password !== undefined && isValidPassword(password)).toBe(true);
    }
  });
});

describe('password format', () => {
  it.each([
    ['123456', true],
    ['000000', true],
    ['12345', false],
    ['1234567', false],
    ['12345a', false],
    [' 12345', false],
    ['１２３４５６', false], // full-width digits
    ['١٢٣٤٥٦', false], // Arabic-Indic digits
    ['', false],
  ])('%j → %s', (password, valid) => {
    expect(isValidPassword(password)).toBe(valid);
  });
});

describe('hashing', () => {
  it('uses the default scrypt params, a 16-byte salt, and verifies', async () => {
    const record = await hashPassword('071231', { now: T0, isDefault: true });
    expect(record.params).toEqual({ N: 16_384, r: 8, p: 1, keyLength: 32 });
    expect(record.params).toEqual(DEFAULT_SCRYPT_PARAMS);
    expect(Buffer.from(record.salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(record.hash, 'base64url')).toHaveLength(32);
    expect(record).toMatchObject({ isDefault: true, failedAttempts: 0, changedAt: T0.toISOString() });
    expect(record.lockedUntil).toBeUndefined();
    expect(await verifyPasswordHash(record, '071231')).toBe(true);
    expect(await verifyPasswordHash(record, '071232')).toBe(false);
  });

  it('a set password is not a default unless said so', async () => {
    expect((await fastRecord('123456')).isDefault).toBe(false);
  });

  it.each([
    ['the same password', '123456', true],
    ['a wrong password', '654321', false],
    ['one digit off', '123457', false],
    ['a prefix', '12345', false],
    ['empty', '', false],
  ])('%s → %s', async (_case, given, expected) => {
    const record = await fastRecord('123456');
    expect(await verifyPasswordHash(record, given)).toBe(expected);
  });

  it('two hashes of the same password differ by salt', async () => {
    const [a, b] = await Promise.all([fastRecord('123456'), fastRecord('123456')]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(await verifyPasswordHash(a, '123456')).toBe(true);
    expect(await verifyPasswordHash(b, '123456')).toBe(true);
  });

  it('each record verifies with its own params, so params can be raised later', async () => {
    const raised = { N: 32_768, r: 8, p: 1, keyLength: 48 };
    const [old, upgraded] = await Promise.all([fastRecord('123456'), hashPassword('123456', { now: T0, params: raised })]);
    expect(upgraded.params).toEqual(raised);
    expect(Buffer.from(upgraded.hash, 'base64url')).toHaveLength(48);
    expect(await verifyPasswordHash(old, '123456')).toBe(true);
    expect(await verifyPasswordHash(upgraded, '123456')).toBe(true);
    expect(await verifyPasswordHash(upgraded, '123455')).toBe(false);
  });

  it('a hash of the wrong length never matches', async () => {
    const record = await fastRecord('123456');
    expect(await verifyPasswordHash({ ...record, hash: record.hash.slice(0, 20) }, '123456')).toBe(false);
  });
});

describe('lockout (pure)', () => {
  const base: PasswordRecord = {
    hash: 'x',
    salt: 'y',
    params: FAST,
    isDefault: false,
    failedAttempts: 0,
    changedAt: T0.toISOString(),
  };

  it('the fifth failure locks for 30 minutes and restarts the count', () => {
    let record = base;
    for (let attempt = 1; attempt < PASSWORD_POLICY.maxFailedAttempts; attempt++) {
      record = afterFailedAttempt(record, T0);
      expect(record.failedAttempts).toBe(attempt);
      expect(isLocked(record, T0)).toBe(false);
    }
    record = afterFailedAttempt(record, T0);
    expect(record.failedAttempts).toBe(0);
    expect(record.lockedUntil).toBe(minutesAfter(30).toISOString());
  });

  it.each([
    ['no lock', undefined, 0, false],
    ['lock in the future', minutesAfter(30).toISOString(), 29.99, true],
    ['lock ending now', minutesAfter(30).toISOString(), 30, false],
    ['expired lock', minutesAfter(30).toISOString(), 31, false],
  ])('isLocked: %s', (_case, lockedUntil, minutes, locked) => {
    expect(isLocked({ ...base, lockedUntil }, minutesAfter(minutes))).toBe(locked);
  });

  it('a failure after an expired lock starts a new window', () => {
    const record = afterFailedAttempt({ ...base, lockedUntil: T0.toISOString() }, minutesAfter(1));
    expect(record).toEqual({ ...base, failedAttempts: 1 });
    expect('lockedUntil' in record).toBe(false);
  });

  it('success with nothing to clear hands back the same record (no write needed)', () => {
    expect(afterSuccess(base)).toBe(base);
  });

  it('success clears the count and the lock', () => {
    const record = afterSuccess({ ...base, failedAttempts: 3, lockedUntil: T0.toISOString() });
    expect(record).toEqual(base);
    expect('lockedUntil' in record).toBe(false);
  });
});

describe('guessMatches', () => {
  it.each<[string, string, boolean]>([
    ['the password', '123456', true],
    ['a wrong password', '000000', false],
    // Malformed guesses are refused without hashing (the caller has already counted them).
    ...['12345', '1234567', 'abcdef', ''].map((guess): [string, string, boolean] => [`malformed ${JSON.stringify(guess)}`, guess, false]),
  ])('%s → %s', async (_case, guess, expected) => {
    expect(await guessMatches(await fastRecord('123456'), guess)).toBe(expected);
  });

  it('does not mutate the record it was given', async () => {
    const record = Object.freeze({ ...(await fastRecord('123456')), failedAttempts: 4 });
    await guessMatches(record, '000000');
    expect(record.failedAttempts).toBe(4);
  });
});

describe('error codes', () => {
  it.each([
    ['PASSWORD_WRONG', 401],
    ['PASSWORD_LOCKED', 423],
    ['PASSWORD_NOT_SET', 409],
    ['PASSWORD_INVALID', 400],
    ['PASSWORD_UNCHANGED', 400],
  ] as const)('%s → %i', (code, status) => {
    expect(ERRORS[code].status).toBe(status);
  });
});
