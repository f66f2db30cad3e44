/**
 * Staff sign-in: username and password → an admin session token. Wrong usernames and wrong passwords
 * answer the same (and take as long: an unknown username is hashed against a stand-in record), five
 * wrong passwords in a row lock the staff account for 30 minutes, and every attempt on a real staff
 * account is in the audit log with its lockout counter.
 */
import { AppError } from '../../app-error';
import { issueAdminSession } from '../../auth/admin-session';
import { sessionSecret } from '../../auth/session-secret';
import type { Deps } from '../../deps';
import { hashPassword, PASSWORD_POLICY, verifyPasswordHash, type PasswordRecord } from '../../domain/passwords';
import { checkStaffPassword, hashStaffPassword, type StaffMember, type StaffRole } from '../../domain/staff';
import { createStaff, getStaff, recordStaffSignIn } from '../../store/staff';
import { auditPut } from './audit';

type SessionDeps = Pick<Deps, 'db' | 'clock' | 'config'>;

let standIn: Promise<PasswordRecord> | undefined;
/** A record nobody's password matches, for the same scrypt work on an unknown or disabled username. */
function standInRecord(): Promise<PasswordRecord> {
  standIn ??= hashPassword(`no staff member ${Math.random()}`, { now: new Date(0) });
  return standIn;
}

export async function signInStaff(
  deps: SessionDeps,
  username: string,
  password: string,
): Promise<{ token: string; expiresAt: string; username: string; role: StaffRole }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = deps.clock();
    const staff = await getStaff(deps.db, username);
    if (!staff || staff.status !== 'active') {
      await verifyPasswordHash(await standInRecord(), password);
      throw new AppError('UNAUTHENTICATED', `staff sign-in: ${username} unknown or disabled`);
    }
    const result = await checkStaffPassword(staff.password, password, now);
    if (!result.ok && result.record === staff.password) throw new AppError('PASSWORD_LOCKED', `staff ${username}`, { minutes: PASSWORD_POLICY.lockMinutes }); // locked before this try
    const actor = { username, role: staff.role };
    const audit = auditPut(deps, actor, {
      action: result.ok ? 'session.start' : 'session.refused',
      target: `staff:${username}`,
      reason: result.ok ? 'signed in' : result.locked ? `wrong password: locked for ${PASSWORD_POLICY.lockMinutes} minutes` : 'wrong password',
      details: { failedAttempts: result.record.failedAttempts, locked: !result.ok && result.locked },
    });
    if (!(await recordStaffSignIn(deps.db, staff, result.record, audit))) continue; // a parallel attempt counted first: judge again
    if (!result.ok) throw new AppError(result.locked ? 'PASSWORD_LOCKED' : 'UNAUTHENTICATED', `staff ${username}: wrong password`, { minutes: PASSWORD_POLICY.lockMinutes });
    const session = await issueAdminSession(await sessionSecret(deps.config), actor, now);
    return { token: session.token, expiresAt: session.expiresAt.toISOString(), username, role: staff.role };
  }
  throw new AppError('BUSY_RETRY', `staff sign-in for ${username}`);
}

/** Creates a staff account (seed, operators' tooling); false if the username is taken. */
export async function createStaffMember(deps: Pick<Deps, 'db' | 'clock'>, request: { username: string; role: StaffRole; password: string }): Promise<boolean> {
  const now = deps.clock();
  const member: StaffMember = {
    username: request.username,
    role: request.role,
    status: 'active',
    password: await hashStaffPassword(request.password, request.username, now),
    version: 0,
    createdAt: now.toISOString(),
  };
  return createStaff(deps.db, member);
}
