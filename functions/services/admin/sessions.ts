/**
 * Staff sign-in: username and password → an admin session token. Wrong usernames and wrong passwords
 * answer the same (and take as long: an unknown or disabled username is hashed against a stand-in
 * record), and five wrong passwords lock the staff account for 30 minutes. The try is counted before
 * the password is checked (the holders' attempt counter, docs/lockouts.md), so parallel guesses are
 * each counted and a right password never passes once a lock exists. Every counted try on a real staff
 * account is in the action log with its count: a success in the same transaction as its counter reset
 * (no session without its entry), a refusal just after its count (a crash in between leaves a counted
 * try without its entry, never an uncounted one).
 */
import { AppError } from '../../app-error';
import { issueAdminSession } from '../../auth/admin-session';
import { sessionSecret } from '../../auth/session-secret';
import type { Deps } from '../../deps';
import { hashPassword, PASSWORD_POLICY, verifyPasswordHash, type PasswordRecord } from '../../domain/passwords';
import { hashStaffPassword, staffPasswordMatches, staffPasswordProblem, type Actor, type StaffMember, type StaffRole } from '../../domain/staff';
import { writeActionLogEntry } from '../../store/action-log';
import { clearStaffSignInAttempts, countStaffSignInAttempt, createStaff, createStaffWith, disableStaff, getStaff, listStaff } from '../../store/staff';
import { actionLogPut, newActionLogEntry } from './action-log';

type SessionDeps = Pick<Deps, 'db' | 'clock' | 'config'>;

let standIn: Promise<PasswordRecord> | undefined;
/** A record nobody's password matches, for the same scrypt work on an unknown or disabled username. */
function standInRecord(): Promise<PasswordRecord> {
  standIn ??= hashPassword(`no staff member ${Math.random()}`, { now: new Date(0) });
  return standIn;
}

const locked = (username: string) => new AppError('PASSWORD_LOCKED', `staff ${username}`, { minutes: PASSWORD_POLICY.lockMinutes });

async function unknownStaff(username: string, password: string): Promise<never> {
  await verifyPasswordHash(await standInRecord(), password);
  throw new AppError('UNAUTHENTICATED', `staff sign-in: ${username} unknown or disabled`);
}

export async function signInStaff(
  deps: SessionDeps,
  username: string,
  password: string,
): Promise<{ token: string; expiresAt: string; username: string; role: StaffRole }> {
  const now = deps.clock();
  const attempt = await countStaffSignInAttempt(deps.db, username, now);
  if (attempt.outcome === 'missing') return unknownStaff(username, password);
  if (attempt.outcome === 'locked') {
    // Refused uncounted and unlogged, as before any hashing; a disabled account still answers as an unknown one.
    const staff = await getStaff(deps.db, username);
    if (staff?.status !== 'active') return unknownStaff(username, password);
    throw locked(username);
  }
  const staff = attempt.member;
  if (staff.status !== 'active') return unknownStaff(username, password);
  const actor = { username, role: staff.role };
  if (!(await staffPasswordMatches(staff.password, password))) {
    const failedAttempts = staff.failedAttempts ?? 0;
    await writeActionLogEntry(
      deps.db,
      newActionLogEntry(deps, actor, {
        action: 'session.refused',
        target: `staff:${username}`,
        reason: attempt.setLock ? `wrong password: locked for ${PASSWORD_POLICY.lockMinutes} minutes` : 'wrong password',
        details: { failedAttempts, locked: attempt.setLock },
      }),
    );
    if (attempt.setLock) throw locked(username);
    throw new AppError('UNAUTHENTICATED', `staff ${username}: wrong password`);
  }
  const audit = actionLogPut(deps, actor, { action: 'session.start', target: `staff:${username}`, reason: 'signed in', details: { failedAttempts: 0, locked: false } });
  // A lock set by a parallel wrong guess while this one was hashing wins: refused as locked, and no entry.
  if (!(await clearStaffSignInAttempts(deps.db, attempt, now, [{ Put: audit }]))) throw locked(username);
  const session = await issueAdminSession(await sessionSecret(deps.config), actor, now);
  return { token: session.token, expiresAt: session.expiresAt.toISOString(), username, role: staff.role };
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

/** A staff member as the card centre's list shows it (never the password or its lockout). */
export function staffViewOf(member: StaffMember): { username: string; role: StaffRole; status: 'active' | 'disabled'; createdAt: string } {
  return { username: member.username, role: member.role, status: member.status, createdAt: member.createdAt };
}

/** The administrator creates a staff member with a role, logged with its action in the same transaction. */
export async function createStaffByAdministrator(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  request: { username: string; role: StaffRole; password: string; reason: string },
): Promise<ReturnType<typeof staffViewOf>> {
  const now = deps.clock();
  const problem = staffPasswordProblem(request.password, request.username);
  if (problem) throw new AppError('STAFF_PASSWORD_WEAK', problem);
  const member: StaffMember = {
    username: request.username,
    role: request.role,
    status: 'active',
    password: await hashStaffPassword(request.password, request.username, now),
    version: 0,
    createdAt: now.toISOString(),
  };
  const audit = actionLogPut(deps, actor, { action: 'staff.create', target: `staff:${request.username}`, reason: request.reason, details: { role: request.role } });
  if (!(await createStaffWith(deps.db, member, [{ Put: audit }]))) throw new AppError('STAFF_EXISTS', request.username);
  return staffViewOf(member);
}

export async function listStaffMembers(deps: Pick<Deps, 'db'>): Promise<{ staff: ReturnType<typeof staffViewOf>[] }> {
  return { staff: (await listStaff(deps.db)).map(staffViewOf) };
}

/** The administrator disables a staff member (never themselves: the last administrator could lock the centre out). */
export async function disableStaffMember(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, username: string, reason: string): Promise<ReturnType<typeof staffViewOf>> {
  if (username === actor.username) throw new AppError('STAFF_DISABLE_SELF', username);
  const member = await getStaff(deps.db, username);
  if (!member) throw new AppError('STAFF_NOT_FOUND', username);
  if (member.status === 'disabled') throw new AppError('STAFF_ALREADY_DISABLED', username);
  const audit = actionLogPut(deps, actor, { action: 'staff.disable', target: `staff:${username}`, reason, details: { role: member.role } });
  if (!(await disableStaff(deps.db, username, [{ Put: audit }]))) {
    // Gone or disabled meanwhile: answer what it is now.
    const now = await getStaff(deps.db, username);
    throw now ? new AppError('STAFF_ALREADY_DISABLED', username) : new AppError('STAFF_NOT_FOUND', username);
  }
  return staffViewOf({ ...member, status: 'disabled' });
}
