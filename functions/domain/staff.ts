/**
 * Card-centre staff and their credentials, pure apart from scrypt. Staff sign in to the admin API with
 * their own username and password (never a holder's). What each role may call is said by the routes'
 * contracts (`roles`, enforced by functions/http/route.ts); the services of routes that change money,
 * fees or policy ask again with the same list (`requireRole`), so a direct caller is held to it too.
 */
import { LEGACY_STAFF_ROLES, STAFF_ROLES, type StaffRole } from '../../shared/vocabulary';
import { AppError } from '../app-error';
import { hashPassword, verifyPasswordHash, type PasswordRecord } from './passwords';

export { STAFF_ROLES, type StaffRole };

/** A stored role as today's role (an older record's `supervisor` is an administrator); undefined if unknown. */
export function staffRoleOf(stored: unknown): StaffRole | undefined {
  if (typeof stored !== 'string') return undefined;
  if ((STAFF_ROLES as readonly string[]).includes(stored)) return stored as StaffRole;
  return Object.hasOwn(LEGACY_STAFF_ROLES, stored) ? LEGACY_STAFF_ROLES[stored] : undefined;
}

/** Who does an admin action: the signed-in staff member and the role they act in. */
export interface Actor {
  username: string;
  role: StaffRole;
}

export interface StaffMember {
  username: string;
  role: StaffRole;
  /** A disabled account's sessions stop working at once (every admin request reads the staff item). */
  status: 'active' | 'disabled';
  /** scrypt (only its hash is read: the record's own lockout fields are not used for staff). */
  password: PasswordRecord;
  /** Sign-in tries counted since the last success or lock: the card passwords' lockout (5 wrong → 30 minutes), on the item itself. */
  failedAttempts?: number;
  /** ISO; a lock in the past counts as none. */
  lockedUntil?: string;
  /** Bumped by every change of the member (role, status), like an account's. */
  version: number;
  createdAt: string;
}

export const STAFF_USERNAME = /^[a-z][a-z0-9._-]{1,31}$/;

export const STAFF_PASSWORD_MIN_LENGTH = 10;
export const STAFF_PASSWORD_MAX_LENGTH = 128;

/**
 * Why a staff password is not acceptable, or undefined. Length is what matters against guessing;
 * the upper bound keeps a login from hashing megabytes. Counted in characters, not bytes.
 */
export function staffPasswordProblem(password: string, username: string): string | undefined {
  const length = [...password].length;
  if (length < STAFF_PASSWORD_MIN_LENGTH) return `a staff password has at least ${STAFF_PASSWORD_MIN_LENGTH} characters`;
  if (length > STAFF_PASSWORD_MAX_LENGTH) return `a staff password has at most ${STAFF_PASSWORD_MAX_LENGTH} characters`;
  if (password.trim() !== password) return 'a staff password does not start or end with spaces';
  if (new Set(password).size < 4) return 'a staff password uses at least 4 different characters';
  if (password.toLowerCase().includes(username.toLowerCase())) return 'a staff password does not contain the username';
  return undefined;
}

export async function hashStaffPassword(password: string, username: string, now: Date): Promise<PasswordRecord> {
  const problem = staffPasswordProblem(password, username);
  if (problem) throw new Error(problem);
  return hashPassword(password, { isDefault: false, now });
}

/**
 * Whether a staff password is the one on record (staff passwords are not six digits, so the holder
 * PIN pad's shortcut does not apply; an overlong one is refused without hashing it). The lockout is
 * counted before this is asked (functions/store/staff.ts), never decided from a record read here.
 */
export async function staffPasswordMatches(record: PasswordRecord, password: string): Promise<boolean> {
  if ([...password].length > STAFF_PASSWORD_MAX_LENGTH) return false;
  return verifyPasswordHash(record, password);
}

/**
 * Throws FORBIDDEN unless the actor's role is one of `roles` (a route contract's `roles`). The detail
 * is for the log only: every refusal answers the same message, whatever the route. No roles: nobody.
 */
export function requireRole(actor: Actor, roles: readonly StaffRole[] | undefined): void {
  if (!roles?.includes(actor.role)) throw new AppError('FORBIDDEN', `${actor.username} is ${actor.role}, needs one of ${(roles ?? []).join(', ') || '(none)'}`);
}
