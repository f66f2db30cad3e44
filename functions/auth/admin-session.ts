/**
 * Card-centre staff session tokens: HS256 JWTs (jose) with the same key as holder sessions but their
 * own audience, so a holder's token is never a staff token (nor the other way round). The subject is
 * the staff username; the role rides along for the client's menus, but the server takes the role
 * from the staff record on every request (admin-auth.ts), so a demotion applies at once.
 */
import { AppError } from '../app-error';
import { STAFF_USERNAME, staffRoleOf, type StaffRole } from '../domain/staff';
import { signToken, verifyToken } from './tokens';

/** One working day at the counter; a staff member signs in again the next morning. */
export const ADMIN_SESSION_SECONDS = 8 * 60 * 60;

export interface AdminSession {
  username: string;
  role: StaffRole;
  expiresAt: Date;
}

export async function issueAdminSession(
  secret: string,
  staff: { username: string; role: StaffRole },
  now: Date,
  ttlSeconds = ADMIN_SESSION_SECONDS,
): Promise<{ token: string; expiresAt: Date }> {
  return signToken(secret, { audience: 'admin', subject: staff.username, ttlSeconds, claims: { role: staff.role } }, now);
}

export async function verifyAdminSession(secret: string, token: string, now: Date): Promise<AdminSession> {
  const payload = await verifyToken(secret, token, { audience: 'admin', requiredClaims: ['role'] }, now);
  const role = payload.role;
  if (!STAFF_USERNAME.test(payload.sub)) throw new AppError('UNAUTHENTICATED', 'bad subject');
  // A token signed before the roles were renamed (supervisor) still carries its old name: read as today's.
  const known = staffRoleOf(role);
  if (!known) throw new AppError('UNAUTHENTICATED', 'bad role');
  return { username: payload.sub, role: known, expiresAt: new Date(payload.exp * 1000) };
}
