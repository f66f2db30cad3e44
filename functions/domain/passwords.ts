/**
 * The two card passwords: the query password (查询密码: app, kiosk, loss reporting, unfreezing) and the
 * consumption password (消费密码: a payment above the daily limit). Pure apart from the scrypt hashing;
 * the caller stores the record each function hands back.
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

export type PasswordRefusal = 'PASSWORD_WRONG' | 'PASSWORD_LOCKED' | 'PASSWORD_NOT_SET';
export type PasswordCheck =
  | { ok: true; record: PasswordRecord }
  | { ok: false; record: PasswordRecord | undefined; code: PasswordRefusal };

export type PasswordChangeRefusal = PasswordRefusal | 'PASSWORD_INVALID' | 'PASSWORD_UNCHANGED';
export type PasswordChange =
  | { ok: true; record: PasswordRecord }
  | { ok: false; record: PasswordRecord | undefined; code: PasswordChangeRefusal };

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
 * Never throws for a wrong password: the refusal comes back with the record to store. A locked password
 * is refused before hashing, and the refused attempt neither counts nor extends the lock.
 */
export async function checkPassword(record: PasswordRecord | undefined, password: string, now: Date): Promise<PasswordCheck> {
  if (!record) return { ok: false, record, code: 'PASSWORD_NOT_SET' };
  if (isLocked(record, now)) return { ok: false, record, code: 'PASSWORD_LOCKED' };
  // A malformed guess cannot match, but it is still a guess: it counts, without the cost of hashing.
  if (isValidPassword(password) && (await verifyPasswordHash(record, password))) return { ok: true, record: afterSuccess(record) };
  const failed = afterFailedAttempt(record, now);
  return { ok: false, record: failed, code: isLocked(failed, now) ? 'PASSWORD_LOCKED' : 'PASSWORD_WRONG' };
}

/**
 * The holder changes a password by giving the old one (same lockout as any check). An invalid new
 * password is refused before the old one is tried, so it costs no attempt; the result is never a default.
 */
export async function changePassword(
  record: PasswordRecord | undefined,
  oldPassword: string,
  newPassword: string,
  now: Date,
): Promise<PasswordChange> {
  if (!record) return { ok: false, record, code: 'PASSWORD_NOT_SET' };
  if (isLocked(record, now)) return { ok: false, record, code: 'PASSWORD_LOCKED' };
  if (!isValidPassword(newPassword)) return { ok: false, record, code: 'PASSWORD_INVALID' };
  const checked = await checkPassword(record, oldPassword, now);
  if (!checked.ok) return checked;
  if (newPassword === oldPassword) return { ok: false, record: checked.record, code: 'PASSWORD_UNCHANGED' };
  return { ok: true, record: await hashPassword(newPassword, { isDefault: false, now }) };
}
