/** Signing holders in: a short-lived session token for their own account only. */
import { AppError } from '../app-error';
import { issueBindingToken, issueHolderSession, verifyBindingToken, type BindingIdentity } from '../auth/holder-session';
import { alipayOauthToken, wechatCode2Session, type WechatLoginConfig } from '../auth/platform-login';
import { digestsEqual, idNumberDigest, mobileDigest, type IdType } from '../domain/identity';
import type { AlipayConfig } from '../payments/alipay';
import { readConfigJson } from '../payments/channels';
import { accountOfIdentity, clearBindingAttempts, countBindingAttempt, countUnknownSignInAttempt, linkIdentity } from '../store/identities';
import { identityKey, sessionSecret } from '../auth/session-secret';
import type { Deps } from '../deps';
import { findAccountByPersonId } from '../store/accounts';
import { getPasswordRecord } from '../store/passwords';
import { guessMatches, isLocked, PASSWORD_POLICY, standInPasswordRecord } from '../domain/passwords';
import { ISSUE_SCRYPT_PARAMS } from './admin/issuance';
import { verifyHolderPassword } from './passwords';

/**
 * What an unknown id is checked against: the params of the default passwords issued to every holder,
 * so an unknown id costs what most known ids cost. (A holder who chose a password has the full default
 * cost and still takes longer: that says only that someone with this id changed a password.)
 */
const standIn = () => standInPasswordRecord(ISSUE_SCRYPT_PARAMS);

/**
 * H5: student/staff id + query password. An unknown id (or one with no password) answers exactly as
 * a wrong password does, takes the same work (a guess hashed against a stand-in record, a counted
 * try) and locks after the same number of tries, so the sign-in cannot tell who has an account.
 */
export async function signInWithPassword(deps: Pick<Deps, 'db' | 'clock' | 'config'>, personId: string, queryPassword: string) {
  const account = await findAccountByPersonId(deps.db, personId);
  try {
    if (account) {
      await verifyHolderPassword(deps, account.accountNo, 'query', queryPassword);
      return await sessionFor(deps, account.accountNo);
    }
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'PASSWORD_NOT_SET') return refuseSignIn(error);
  }
  return refuseSignIn(await unknownSignIn(deps, personId, queryPassword));
}

/** The try on an id with nothing to check: counted on the id's own counter, and hashed all the same. */
async function unknownSignIn(deps: Pick<Deps, 'db' | 'clock'>, personId: string, queryPassword: string): Promise<AppError> {
  const attempt = await countUnknownSignInAttempt(deps.db, personId, { maxFailures: PASSWORD_POLICY.maxFailedAttempts, lockMinutes: PASSWORD_POLICY.lockMinutes }, deps.clock());
  if (attempt.outcome === 'counted') await guessMatches(await standIn(), queryPassword);
  const lock = attempt.outcome === 'locked' || (attempt.outcome === 'counted' && attempt.setLock);
  return lock ? new AppError('PASSWORD_LOCKED', `sign-in as ${personId}`, { minutes: PASSWORD_POLICY.lockMinutes }) : new AppError('UNAUTHENTICATED', `sign-in as ${personId}`);
}

function refuseSignIn(error: unknown): never {
  if (error instanceof AppError && error.code === 'PASSWORD_WRONG') throw new AppError('UNAUTHENTICATED', error.detail);
  throw error;
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
 * The try is counted on the id's binding counter before anything is compared, and every mismatch
 * (unknown id, wrong ID number, mobile, type or password, a cancelled account, a locked password) is
 * the same BINDING_FAILED after the same work; the fifth locks, and a locked id answers BINDING_LOCKED
 * whatever was typed. So neither the answer, nor its time, nor the lock says whether an ID number
 * belongs to that id. Binding does not count on the password's own lockout: that count (visible at
 * sign-in) would change only when the ID number matched. On success the platform identity (if any)
 * signs in to this account from now on, and the holder gets a session.
 */
export async function bindElectronicCard(
  deps: SignInDeps,
  request: { bindingToken?: string; personId: string; cardPassword: string; idType: IdType; idNumber: string; mobile: string },
) {
  const now = deps.clock();
  const identity = request.bindingToken ? await verifyBindingToken(await sessionSecret(deps.config), request.bindingToken, now) : undefined;
  const secret = await identityKey(deps.config);
  const lockedError = () => new AppError('BINDING_LOCKED', request.personId, { minutes: BINDING_POLICY.lockMinutes });
  const attempt = await countBindingAttempt(deps.db, request.personId, { maxFailures: BINDING_POLICY.maxFailures, lockMinutes: BINDING_POLICY.lockMinutes }, now);
  if (attempt.outcome !== 'counted') throw lockedError();

  const account = await findAccountByPersonId(deps.db, request.personId);
  const record = account ? await getPasswordRecord(deps.db, account.accountNo, 'query') : undefined;
  // Every comparison runs whatever the others gave (no short cut): the same work for every mismatch.
  const checks = [
    account !== undefined && account.status !== 'cancelled' && account.idType === request.idType,
    digestsEqual(account?.idNumberDigest, idNumberDigest(secret, request.idNumber)),
    digestsEqual(account?.mobileDigest, mobileDigest(secret, request.mobile)),
    await guessMatches(record ?? (await standIn()), request.cardPassword),
    record !== undefined && !isLocked(record, now),
  ];
  if (!account || checks.includes(false)) {
    if (attempt.setLock) throw lockedError();
    throw new AppError('BINDING_FAILED', request.personId);
  }
  if (!(await clearBindingAttempts(deps.db, request.personId, attempt, now))) throw lockedError();
  if (identity) await linkIdentity(deps.db, identity.platform, identity.platformUserId, account.accountNo, now);
  return sessionFor(deps, account.accountNo, identity?.platformUserId);
}
