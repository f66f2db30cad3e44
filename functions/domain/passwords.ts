/**
 * The two card passwords: the query password (查询密码: app, kiosk, loss reporting, unfreezing) and the
 * consumption password (消费密码: a payment above the daily limit). Pure apart from the scrypt hashing.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export type PasswordKind = 'query' | 'consumption';
export const PASSWORD_KINDS = ['query', 'consumption'] as const satisfies readonly PasswordKind[];

/** Campus policy for an ID number ending in the check character 'X': drop it, or count it as '1'. */
export type XPolicy = 'drop' | 'replace';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

/** For new hashes only: each record keeps its own params, so these can be raised without a migration. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 16_384, r: 8, p: 1, keyLength: 32 };

export const PASSWORD_POLICY = { maxFailedAttempts: 5, lockMinutes: 30 } as const;

export interface PasswordRecord {
  /** base64url scrypt output. */
  hash: string;
  /** base64url, 16 random bytes, fresh for every hash (per account and kind). */
  salt: string;
  params: ScryptParams;
  /** Still the ID-number default: the holder must be prompted to change it. */
  isDefault: boolean;
  /** Wrong attempts since the last success or the last lock. */
  failedAttempts: number;
  /** ISO time; a lock in the past counts as no lock. */
  lockedUntil?: string;
  /** ISO time the password was set. */
  changedAt: string;
}

/**
 * The default password: the last six digits of the ID-card (or passport) number, after the X policy
 * ('11010519900307123X' → drop '307123', replace '071231'). Undefined when those six characters are not
 * all digits (some passports): the card centre must set one.
 */
export function defaultPassword(idNumber: string, policy: XPolicy): string | undefined {
  let id = idNumber.trim().toUpperCase();
  if (id.endsWith('X')) id = policy === 'drop' ? id.slice(0, -1) : `${id.slice(0, -1)}1`;
  const tail = id.slice(-6);
  return isValidPassword(tail) ? tail : undefined;
}

/** Exactly six ASCII digits: what a POS PIN pad can enter. */
export function isValidPassword(password: string): boolean {
  return /^[0-9]{6}$/.test(password);
}

/** Asynchronous scrypt (promisify would pick the overload without options), off the event loop. */
function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const { N, r, p, keyLength } = params;
  // OpenSSL needs 128·r·(N + p + 2) bytes; Node's 32 MiB default would refuse raised params.
  const maxmem = 2 * 128 * r * (N + p + 2);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(
  password: string,
  options?: { isDefault?: boolean; now: Date; params?: ScryptParams },
): Promise<PasswordRecord> {
  const params = { ...(options?.params ?? DEFAULT_SCRYPT_PARAMS) };
  const salt = randomBytes(16);
  const hash = await derive(password, salt, params);
  return {
    hash: hash.toString('base64url'),
    salt: salt.toString('base64url'),
    params,
    isDefault: options?.isDefault ?? false,
    failedAttempts: 0,
    changedAt: (options?.now ?? new Date()).toISOString(),
  };
}

/** Uses the record's own params, so records hashed before a raise still verify. */
export async function verifyPasswordHash(record: PasswordRecord, password: string): Promise<boolean> {
  const expected = Buffer.from(record.hash, 'base64url');
  const given = await derive(password, Buffer.from(record.salt, 'base64url'), record.params);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function isLocked(record: PasswordRecord, now: Date): boolean {
  return record.lockedUntil !== undefined && now.getTime() < Date.parse(record.lockedUntil);
}

/** Counts a wrong attempt; the fifth locks the password and starts the count again for after the lock. */
export function afterFailedAttempt(record: PasswordRecord, now: Date): PasswordRecord {
  const { lockedUntil: _expired, ...rest } = record;
  const failedAttempts = record.failedAttempts + 1;
  if (failedAttempts < PASSWORD_POLICY.maxFailedAttempts) return { ...rest, failedAttempts };
  const lockedUntil = new Date(now.getTime() + PASSWORD_POLICY.lockMinutes * 60_000).toISOString();
  return { ...rest, failedAttempts: 0, lockedUntil };
}

/** The same object when there was nothing to clear, so the caller can skip the write. */
export function afterSuccess(record: PasswordRecord): PasswordRecord {
  if (record.failedAttempts === 0 && record.lockedUntil === undefined) return record;
  const { lockedUntil: _lock, ...rest } = record;
  return { ...rest, failedAttempts: 0 };
}

/**
 * Whether a guess is the password. A malformed guess cannot match, but it is still a guess (the
 * caller has counted it): it is refused without the cost of hashing. Counting, locking and clearing
 * happen in the store before and after (functions/store/attempt-counter.ts), never by writing back a
 * record read earlier: that is what let parallel guesses past the lock.
 */
export async function guessMatches(record: PasswordRecord, guess: string): Promise<boolean> {
  return isValidPassword(guess) && verifyPasswordHash(record, guess);
}

const standIns = new Map<string, Promise<PasswordRecord>>();
/**
 * A record no guess matches, hashed with `params`: checking a guess against it costs what checking a
 * real record with those params costs, so an unknown id takes as long as a known one.
 */
export function standInPasswordRecord(params: ScryptParams): Promise<PasswordRecord> {
  const key = JSON.stringify(params);
  let record = standIns.get(key);
  // From random bytes, not six digits: no guess can match, yet every well-formed guess is hashed against it.
  if (!record) standIns.set(key, (record = hashPassword(randomBytes(18).toString('base64url'), { now: new Date(0), params })));
  return record;
}
