/**
 * Checking a holder's password, counting the try toward the lockout before anything is checked
 * (functions/store/attempt-counter.ts): a wrong try is on the record before its answer, and a right
 * one passes only if no lock was set while it was being checked, in any container.
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { guessMatches, hashPassword, isValidPassword, PASSWORD_POLICY, type PasswordKind, type PasswordRecord } from '../domain/passwords';
import { clearPasswordAttempts, countPasswordAttempt, getPasswordRecord, replacePasswordRecord } from '../store/passwords';

const locked = (accountNo: string, kind: PasswordKind) =>
  new AppError('PASSWORD_LOCKED', `${kind} password of ${accountNo}`, { minutes: PASSWORD_POLICY.lockMinutes });

/**
 * Throws PASSWORD_WRONG / PASSWORD_LOCKED / PASSWORD_NOT_SET; returns the record that matched if right.
 * The try that reaches the limit answers PASSWORD_LOCKED (it set the lock), unless it is right.
 */
export async function verifyHolderPassword(deps: Pick<Deps, 'db' | 'clock'>, accountNo: string, kind: PasswordKind, password: string): Promise<PasswordRecord> {
  const now = deps.clock();
  const attempt = await countPasswordAttempt(deps.db, accountNo, kind, now);
  if (attempt.outcome === 'missing') throw new AppError('PASSWORD_NOT_SET', `${kind} password of ${accountNo}`);
  if (attempt.outcome === 'locked') throw locked(accountNo, kind);
  const { record } = attempt;
  if (!(await guessMatches(record, password))) {
    if (attempt.setLock) throw locked(accountNo, kind);
    throw new AppError('PASSWORD_WRONG', `${kind} password of ${accountNo}`);
  }
  // Conditional on the hash still being the one checked (a card-centre reset in between wins).
  if (!(await clearPasswordAttempts(deps.db, accountNo, kind, attempt, now))) throw locked(accountNo, kind);
  return record;
}

/**
 * The holder changes a password by giving the old one (counted like any check). An invalid new
 * password is refused before the old one is tried, so it costs no attempt; the result is never a default.
 */
export async function changeHolderPassword(deps: Pick<Deps, 'db' | 'clock'>, accountNo: string, kind: PasswordKind, oldPassword: string, newPassword: string): Promise<void> {
  if (!isValidPassword(newPassword)) {
    // Same refusals, in the same order, as a check would give first: not set, locked.
    const stored = await getPasswordRecord(deps.db, accountNo, kind);
    if (!stored) throw new AppError('PASSWORD_NOT_SET', `${kind} password of ${accountNo}`);
    if (stored.lockedUntil && Date.parse(stored.lockedUntil) > deps.clock().getTime()) throw locked(accountNo, kind);
    throw new AppError('PASSWORD_INVALID', `new ${kind} password of ${accountNo}`);
  }
  const verified = await verifyHolderPassword(deps, accountNo, kind, oldPassword);
  if (newPassword === oldPassword) throw new AppError('PASSWORD_UNCHANGED', `${kind} password of ${accountNo}`);
  const next = await hashPassword(newPassword, { isDefault: false, now: deps.clock() });
  // Another change (or a card-centre reset) landed since the check: the old password no longer holds.
  if (!(await replacePasswordRecord(deps.db, accountNo, kind, next, verified))) throw new AppError('PASSWORD_WRONG', `${kind} password of ${accountNo} changed meanwhile`);
}
