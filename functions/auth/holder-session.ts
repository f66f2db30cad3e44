/**
 * Holder session tokens: short-lived HS256 JWTs (jose) whose subject is the account number. Login
 * (WeChat, Alipay, or student id + query password) issues them; every holder route verifies them.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AppError } from '../app-error';

const ISSUER = 'campus-ecard';
const AUDIENCE = 'holder';
/** Two hours: long enough for a day's use of the app between refreshes, short enough to limit a leaked token. */
export const HOLDER_SESSION_SECONDS = 2 * 60 * 60;

export interface HolderSession {
  accountNo: string;
  expiresAt: Date;
}

function key(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error('the session secret must be at least 32 characters');
  return new TextEncoder().encode(secret);
}

export async function issueHolderSession(secret: string, accountNo: string, now: Date, ttlSeconds = HOLDER_SESSION_SECONDS): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(accountNo)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key(secret));
}

export async function verifyHolderSession(secret: string, token: string, now: Date): Promise<HolderSession> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (!payload.sub || !/^\d{5,12}$/.test(payload.sub)) throw new AppError('UNAUTHENTICATED', 'bad subject');
    return { accountNo: payload.sub, expiresAt: new Date(payload.exp! * 1000) };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new AppError('SESSION_EXPIRED', 'holder session expired');
    if (error instanceof joseErrors.JOSEError) throw new AppError('UNAUTHENTICATED', `holder session: ${error.code}`);
    throw error;
  }
}

/** Before binding: who signed in on WeChat or Alipay (no account yet). 15 minutes to finish binding. */
export interface BindingIdentity {
  platform: 'wechat' | 'alipay';
  /** openid or Alipay user id. */
  platformUserId: string;
}

const BINDING_AUDIENCE = 'binding';

export async function issueBindingToken(secret: string, identity: BindingIdentity, now: Date): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(BINDING_AUDIENCE)
    .setSubject(`${identity.platform}:${identity.platformUserId}`)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 15 * 60)
    .sign(key(secret));
}

export async function verifyBindingToken(secret: string, token: string, now: Date): Promise<BindingIdentity> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, audience: BINDING_AUDIENCE, algorithms: ['HS256'], currentDate: now, requiredClaims: ['sub', 'exp'] });
    const match = /^(wechat|alipay):([A-Za-z0-9_-]{1,128})$/.exec(payload.sub ?? '');
    if (!match) throw new AppError('UNAUTHENTICATED', 'bad binding subject');
    return { platform: match[1] as BindingIdentity['platform'], platformUserId: match[2]! };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new AppError('SESSION_EXPIRED', 'binding token expired');
    if (error instanceof joseErrors.JOSEError) throw new AppError('UNAUTHENTICATED', `binding token: ${error.code}`);
    throw error;
  }
}
