/** Checking a holder's password against its stored record, counting wrong attempts toward the lockout. */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { checkPassword, type PasswordKind } from '../domain/passwords';
import { getPasswordRecord, savePasswordRecord } from '../store/passwords';

/** Throws PASSWORD_WRONG / PASSWORD_LOCKED / PASSWORD_NOT_SET, after recording the attempt; returns if right. */
export async function verifyHolderPassword(deps: Pick<Deps, 'db' | 'clock'>, accountNo: string, kind: PasswordKind, password: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await getPasswordRecord(deps.db, accountNo, kind);
    const result = await checkPassword(stored, password, deps.clock());
    const changed = result.record !== undefined && result.record !== stored && JSON.stringify(result.record) !== JSON.stringify(stored);
    if (changed && !(await savePasswordRecord(deps.db, accountNo, kind, result.record!, stored))) continue; // raced another attempt: check again
    if (result.ok) return;
    throw new AppError(result.code, `${kind} password of ${accountNo}`);
  }
  throw new AppError('BUSY_RETRY', `password check for ${accountNo}`);
}
