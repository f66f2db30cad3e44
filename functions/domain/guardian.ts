/**
 * Guardian deposits (issue 18): a parent tops up a student's account from their own WeChat Pay or
 * Alipay without binding anything. The rules here are pure: who may receive one, how the typed name
 * is compared, what the payer sees of the holder, and the daily cap per payer.
 */
import { AppError } from '../app-error';
import { yuanParam } from '../../shared/errors';
import { maskHolderName, type Account } from './account';

/** Who paid a guardian deposit, recorded on its order before the platform is asked (the intent). */
export interface GuardianPayer {
  platform: 'wechat' | 'alipay';
  /**
   * The payer's platform user (WeChat openid / Alipay user id) from a login code; where the platform
   * gave none (H5 in a browser), a stand-in made from the request's address (the cap counts it); the
   * payment's own payer is then recorded as the order's `paidBy` when the platform reports it.
   */
  payerId: string;
  identifiedBy: 'login' | 'address';
  /** What the payer called themselves ("妈妈"), shown to the holder. */
  label: string;
}

/** The payer's label: short, printable, one line. */
export const GUARDIAN_LABEL_MAX = 8;

/**
 * Unauthenticated look-ups (the find-and-confirm step, and again at each order): every try is
 * counted against the caller, found or not, and a success does not take it back (one right pair must
 * not reset someone's guessing). Not a card-centre setting: it protects the holders' names.
 */
export const GUARDIAN_LOOKUP_LIMIT = { maxFailures: 30, lockMinutes: 60 } as const;

/** Names as people type them: full-width letters and stray spaces do not make another name. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').replace(/[\s\u00b7\u30fb]/g, '').toLowerCase();
}

export function nameMatches(typed: string, holderName: string): boolean {
  const a = normalizeName(typed);
  return a.length > 0 && a === normalizeName(holderName);
}

/** A deposit needs an account that can still take money: not closed (terminated) and not expired (graduated, left). */
export function canReceiveDeposit(account: Pick<Account, 'status' | 'closedAt'>): boolean {
  return account.status !== 'cancelled' && account.status !== 'expired' && account.closedAt === undefined;
}

/** What the payer is shown of the holder: enough to know it is the right child, not a name to harvest. */
export function maskedNameOf(account: Pick<Account, 'holderName'>): string {
  return maskHolderName(account.holderName);
}

/**
 * The cap rule: a payer's deposits today plus this one may not pass the campus's cap. The store
 * checks the same sum atomically with the order (`roomBeforeFen`); this refuses what can never fit.
 */
export function assertWithinGuardianCap(depositedTodayFen: number, amountFen: number, capFen: number): void {
  if (depositedTodayFen + amountFen > capFen) throw guardianCapReached(depositedTodayFen, capFen);
}

/** The most a payer may have deposited today before this one for it to fit (negative: it never fits). */
export function roomBeforeFen(amountFen: number, capFen: number): number {
  return capFen - amountFen;
}

export function guardianCapReached(depositedTodayFen: number, capFen: number): AppError<'GUARDIAN_DAILY_CAP_REACHED'> {
  return new AppError('GUARDIAN_DAILY_CAP_REACHED', `${depositedTodayFen} of ${capFen} deposited today`, {
    max: yuanParam(capFen),
    left: yuanParam(Math.max(0, capFen - depositedTodayFen)),
  });
}
