/**
 * The one way the service signs and checks its bearer tokens: HS256 JWTs (jose) under the session
 * key, each kind with its own audience so no token passes for another kind (holder session,
 * binding token, staff session).
 */
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import { AppError } from '../app-error';

const ISSUER = 'campus-ecard';

export type TokenAudience = 'holder' | 'binding' | 'admin';

function key(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error('the session secret must be at least 32 characters');
  return new TextEncoder().encode(secret);
}

export async function signToken(
  secret: string,
  token: { audience: TokenAudience; subject: string; ttlSeconds: number; claims?: Record<string, string> },
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const signed = await new SignJWT(token.claims ?? {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(token.audience)
    .setSubject(token.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + token.ttlSeconds)
    .sign(key(secret));
  return { token: signed, expiresAt: new Date((issuedAt + token.ttlSeconds) * 1000) };
}

/** The verified claims; UNAUTHENTICATED for anything not ours or not of this audience, SESSION_EXPIRED when late. */
export async function verifyToken(
  secret: string,
  token: string,
  expected: { audience: TokenAudience; requiredClaims?: string[] },
  now: Date,
): Promise<JWTPayload & { sub: string; exp: number }> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      issuer: ISSUER,
      audience: expected.audience,
      algorithms: ['HS256'],
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat', ...(expected.requiredClaims ?? [])],
    });
    return payload as JWTPayload & { sub: string; exp: number };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new AppError('SESSION_EXPIRED', `${expected.audience} token expired`);
    if (error instanceof joseErrors.JOSEError) throw new AppError('UNAUTHENTICATED', `${expected.audience} token: ${error.code}`);
    throw error;
  }
}
