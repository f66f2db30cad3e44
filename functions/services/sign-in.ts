/** Signing holders in: a short-lived session token for their own account only. */
import { AppError } from '../app-error';
import { issueHolderSession } from '../auth/holder-session';
import { sessionSecret } from '../auth/session-secret';
import type { Deps } from '../deps';
import { findAccountByPersonId } from '../store/accounts';
import { getPasswordRecord } from '../store/passwords';
import { verifyHolderPassword } from './passwords';

/**
 * H5: student/staff id + query password. An unknown id and a wrong password answer alike
 * (UNAUTHENTICATED), so the sign-in cannot be used to find out who has an account.
 */
export async function signInWithPassword(deps: Pick<Deps, 'db' | 'clock' | 'config'>, personId: string, queryPassword: string) {
  const account = await findAccountByPersonId(deps.db, personId);
  if (!account) throw new AppError('UNAUTHENTICATED', 'unknown person id');
  try {
    await verifyHolderPassword(deps, account.accountNo, 'query', queryPassword);
  } catch (error) {
    if (error instanceof AppError && (error.code === 'PASSWORD_WRONG' || error.code === 'PASSWORD_NOT_SET')) throw new AppError('UNAUTHENTICATED', error.code);
    throw error;
  }
  const record = await getPasswordRecord(deps.db, account.accountNo, 'query');
  return {
    session: await issueHolderSession(await sessionSecret(deps.config), account.accountNo, deps.clock()),
    accountNo: account.accountNo,
    mustChangePassword: record?.isDefault ?? false,
  };
}
