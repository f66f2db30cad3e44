/**
 * Card-centre staff session tokens: HS256 JWTs (jose) with the same key as holder sessions but their
 * own audience, so a holder's token is never a staff token (nor the other way round). The subject is
 * the staff username; the role rides along for the client's menus, but the server takes the role
 * from the staff record on every request (admin-auth.ts), so a demotion applies at once.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AppError } from '../app-error';
import { STAFF_ROLES, STAFF_USERNAME, type StaffRole } from '../domain/staff';

const ISSUER = 'campus-ecard';
const AUDIENCE = 'admin';
/** One working day at the counter; a staff member signs in again the next morning. */
export const ADMIN_SESSION_SECONDS = 8 * 60 * 60;

export interface AdminSession {
  username: string;
  role: StaffRole;
  expiresAt: Date;
}

function key(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error('the session secret must be at least 32 characters');
  return new TextEncoder().encode(secret);
}

export async function issueAdminSession(
  secret: string,
  staff: { username: string; role: StaffRole },
  now: Date,
  ttlSeconds = ADMIN_SESSION_SECONDS,
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ role: staff.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(staff.username)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key(secret));
  return { token, expiresAt: new Date((issuedAt + ttlSeconds) * 1000) };
}

export async function verifyAdminSession(secret: string, token: string, now: Date): Promise<AdminSession> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat', 'role'],
    });
    const role = payload.role;
    if (!payload.sub || !STAFF_USERNAME.test(payload.sub)) throw new AppError('UNAUTHENTICATED', 'bad subject');
    if (typeof role !== 'string' || !(STAFF_ROLES as readonly string[]).includes(role)) throw new AppError('UNAUTHENTICATED', 'bad role');
    return { username: payload.sub, role: role as StaffRole, expiresAt: new Date(payload.exp! * 1000) };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new AppError('SESSION_EXPIRED', 'admin session expired');
    if (error instanceof joseErrors.JOSEError) throw new AppError('UNAUTHENTICATED', `admin session: ${error.code}`);
    throw error;
  }
}
