/**
 * Holder session tokens (subject: the account number), made at sign-in and checked on every holder
 * route; and binding tokens (subject: the WeChat/Alipay user) that let a new user bind their card.
 */
import { AppError } from '../app-error';
import { signToken, verifyToken } from './tokens';

/** Two hours: long enough for a day's use of the app between refreshes, short enough to limit a leaked token. */
export const HOLDER_SESSION_SECONDS = 2 * 60 * 60;
/** Time to fill in the binding form after signing in on WeChat or Alipay. */
const BINDING_SECONDS = 15 * 60;

export interface HolderSession {
  accountNo: string;
  expiresAt: Date;
}

export async function issueHolderSession(secret: string, accountNo: string, now: Date, ttlSeconds = HOLDER_SESSION_SECONDS): Promise<string> {
  return (await signToken(secret, { audience: 'holder', subject: accountNo, ttlSeconds }, now)).token;
}

export async function verifyHolderSession(secret: string, token: string, now: Date): Promise<HolderSession> {
  const payload = await verifyToken(secret, token, { audience: 'holder' }, now);
  if (!/^\d{5,12}$/.test(payload.sub)) throw new AppError('UNAUTHENTICATED', 'bad subject');
  return { accountNo: payload.sub, expiresAt: new Date(payload.exp * 1000) };
}

/** Before binding: who signed in on WeChat or Alipay (no account yet). */
export interface BindingIdentity {
  platform: 'wechat' | 'alipay';
  /** openid or Alipay user id. */
  platformUserId: string;
}

export async function issueBindingToken(secret: string, identity: BindingIdentity, now: Date): Promise<string> {
  return (await signToken(secret, { audience: 'binding', subject: `${identity.platform}:${identity.platformUserId}`, ttlSeconds: BINDING_SECONDS }, now)).token;
}

export async function verifyBindingToken(secret: string, token: string, now: Date): Promise<BindingIdentity> {
  const payload = await verifyToken(secret, token, { audience: 'binding' }, now);
  const match = /^(wechat|alipay):([A-Za-z0-9_-]{1,128})$/.exec(payload.sub);
  if (!match) throw new AppError('UNAUTHENTICATED', 'bad binding subject');
  return { platform: match[1] as BindingIdentity['platform'], platformUserId: match[2]! };
}
