/** Signing holders in: a short-lived session token for their own account only. */
import { AppError } from '../app-error';
import { issueBindingToken, issueHolderSession, verifyBindingToken, type BindingIdentity } from '../auth/holder-session';
import { alipayOauthToken, wechatCode2Session, type WechatLoginConfig } from '../auth/platform-login';
import { digestsEqual, idNumberDigest, mobileDigest, type IdType } from '../domain/identity';
import type { AlipayConfig } from '../payments/alipay';
import { readConfigJson } from '../payments/channels';
import { accountOfIdentity, getBindingAttempts, linkIdentity, saveBindingAttempts } from '../store/identities';
import { identityKey, sessionSecret } from '../auth/session-secret';
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
  return sessionFor(deps, account.accountNo);
}

type SignInDeps = Pick<Deps, 'db' | 'clock' | 'config'>;

export type PlatformSignIn =
  | ({ bound: true } & HolderSignIn)
  | { bound: false; bindingToken: string };

interface HolderSignIn {
  session: string;
  accountNo: string;
  mustChangePassword: boolean;
  /** The platform user (openid / Alipay user id) the app pays top-ups as; only for platform sign-ins. */
  payerId?: string;
}

async function sessionFor(deps: SignInDeps, accountNo: string, payerId?: string): Promise<HolderSignIn> {
  const record = await getPasswordRecord(deps.db, accountNo, 'query');
  const session = await issueHolderSession(await sessionSecret(deps.config), accountNo, deps.clock());
  return { session, accountNo, mustChangePassword: record?.isDefault ?? false, ...(payerId ? { payerId } : {}) };
}

/** In WeChat or Alipay: the platform says who it is; a bound user gets a session, a new one a binding token. */
export async function signInWithPlatform(deps: SignInDeps, platform: BindingIdentity['platform'], code: string): Promise<PlatformSignIn> {
  const platformUserId =
    platform === 'wechat'
      ? await wechatCode2Session(await requiredConfig<WechatLoginConfig>(deps, 'WECHAT_LOGIN_CONFIG'), code)
      : await alipayOauthToken(await requiredConfig<AlipayConfig>(deps, 'ALIPAY_CONFIG'), deps.clock, code);
  const accountNo = await accountOfIdentity(deps.db, platform, platformUserId);
  if (accountNo) return { bound: true, ...(await sessionFor(deps, accountNo, platformUserId)) };
  return { bound: false, bindingToken: await issueBindingToken(await sessionSecret(deps.config), { platform, platformUserId }, deps.clock()) };
}

async function requiredConfig<T>(deps: SignInDeps, name: string): Promise<T> {
  const value = await readConfigJson<T>(deps.config, name);
  if (!value) throw new AppError('LOGIN_PLATFORM_UNAVAILABLE', `${name} is not configured`);
  return value;
}

export const BINDING_POLICY = { maxFailures: 5, lockMinutes: 30 } as const;

/**
 * Binding the electronic card: student/staff id, card (query) password, ID type and number, mobile.
 * Any mismatch, including an unknown id, is the same BINDING_FAILED (no account enumeration) and
 * counts toward a lockout of that id. On success the platform identity (if any) signs in to this
 * account from now on, and the holder gets a session.
 */
export async function bindElectronicCard(
  deps: SignInDeps,
  request: { bindingToken?: string; personId: string; cardPassword: string; idType: IdType; idNumber: string; mobile: string },
) {
  const now = deps.clock();
  const identity = request.bindingToken ? await verifyBindingToken(await sessionSecret(deps.config), request.bindingToken, now) : undefined;
  const secret = await identityKey(deps.config);
  const attempts = await getBindingAttempts(deps.db, request.personId);
  if (attempts.lockedUntil && attempts.lockedUntil > now.toISOString()) throw new AppError('BINDING_LOCKED', request.personId);

  const account = await findAccountByPersonId(deps.db, request.personId);
  let matches =
    account !== undefined &&
    account.status !== 'cancelled' &&
    account.idType === request.idType &&
    digestsEqual(account.idNumberDigest, idNumberDigest(secret, request.idNumber)) &&
    digestsEqual(account.mobileDigest, mobileDigest(secret, request.mobile));
  if (matches && account) {
    try {
      await verifyHolderPassword(deps, account.accountNo, 'query', request.cardPassword);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'PASSWORD_LOCKED') throw new AppError('BINDING_LOCKED', request.personId);
      matches = false;
    }
  }
  if (!matches || !account) {
    const failures = attempts.failures + 1;
    const locked = failures >= BINDING_POLICY.maxFailures;
    await saveBindingAttempts(deps.db, request.personId, attempts, locked ? { failures: 0, lockedUntil: new Date(now.getTime() + BINDING_POLICY.lockMinutes * 60_000).toISOString() } : { failures }, now);
    throw new AppError(locked ? 'BINDING_LOCKED' : 'BINDING_FAILED', request.personId);
  }
  if (attempts.failures > 0 || attempts.lockedUntil) await saveBindingAttempts(deps.db, request.personId, attempts, { failures: 0 }, now);
  if (identity) await linkIdentity(deps.db, identity.platform, identity.platformUserId, account.accountNo, now);
  return sessionFor(deps, account.accountNo, identity?.platformUserId);
}
