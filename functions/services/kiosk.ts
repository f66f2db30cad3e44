/**
 * The self-service kiosk (圈存机): balance query, loss, unfreeze, password and daily-limit changes,
 * each confirmed by the holder's password, for terminals of kind kiosk only (requireTerminalKind).
 *
 * A kiosk is a public machine: whoever stands at it may try chip UIDs or account numbers. So a card
 * that is unknown, void or replaced, an unknown account number, and one with no password set all
 * answer PASSWORD_WRONG, after the same work (a guess hashed against a stand-in record) and with a
 * lockout of their own after the same number of tries (store/kiosk-attempts.ts): no answer tells
 * whether a card or an account exists.
 */
import type { TerminalKind } from '../../shared/vocabulary';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { maskHolderName, type Account } from '../domain/account';
import type { Terminal } from '../domain/merchant';
import { guessMatches, PASSWORD_POLICY, standInPasswordRecord, type PasswordKind } from '../domain/passwords';
import { getAccount } from '../store/accounts';
import { findCardByChipUid } from '../store/cards';
import { countUnknownKioskAttempt } from '../store/kiosk-attempts';
import { ISSUE_SCRYPT_PARAMS } from './admin/issuance';
import { assertDailyLimitInRange, changeDailyLimit, changeHolderPassword, reportLoss, unfreezeWithPassword } from './card-lifecycle';
import { maskTail } from './holder-views';
import { verifyHolderPassword } from './passwords';

type KioskDeps = Pick<Deps, 'db' | 'clock' | 'movements'>;

/** The one check of what a terminal may do: a terminal registered without a kind is a cash-desk POS. */
export function requireTerminalKind(terminal: Pick<Terminal, 'terminalId' | 'kind'>, kind: TerminalKind): void {
  const actual = terminal.kind ?? 'pos';
  if (actual !== kind) throw new AppError('TERMINAL_KIND_NOT_ALLOWED', `${terminal.terminalId} is a ${actual} terminal, not a ${kind}`);
}

/** The account behind the card in the slot, if the card can still act for it (active, or lost and found again). */
async function accountOfCard(deps: Pick<Deps, 'db'>, chipUid: string): Promise<Account | undefined> {
  const card = await findCardByChipUid(deps.db, chipUid);
  if (!card || (card.status !== 'active' && card.status !== 'lost')) return undefined;
  return getAccount(deps.db, card.accountNo);
}

/**
 * Runs `step`, whose first act is the password check of `accountNo`. With nothing to check (no
 * account, or PASSWORD_NOT_SET, which `step` answers before counting anything) the try is counted
 * on `subject`'s own counter and answered as a wrong (or locked) password.
 */
async function withPassword<T>(deps: Pick<Deps, 'db' | 'clock'>, subject: string, accountNo: string | undefined, password: string, step: (accountNo: string) => Promise<T>): Promise<T> {
  if (accountNo) {
    try {
      return await step(accountNo);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'PASSWORD_NOT_SET') throw error;
    }
  }
  const attempt = await countUnknownKioskAttempt(deps.db, subject, { maxFailures: PASSWORD_POLICY.maxFailedAttempts, lockMinutes: PASSWORD_POLICY.lockMinutes }, deps.clock());
  // The same work as a real check: most holders' passwords are hashed with the issue params.
  if (attempt.outcome === 'counted') await guessMatches(await standInPasswordRecord(ISSUE_SCRYPT_PARAMS), password);
  if (attempt.outcome === 'locked' || (attempt.outcome === 'counted' && attempt.setLock)) {
    throw new AppError('PASSWORD_LOCKED', `kiosk: ${subject}`, { minutes: PASSWORD_POLICY.lockMinutes });
  }
  throw new AppError('PASSWORD_WRONG', `kiosk: ${subject} has nothing to check`);
}

const chipSubject = (chipUid: string, kind: PasswordKind) => `chip#${chipUid}#${kind}`;

export async function queryBalanceAtKiosk(deps: KioskDeps, terminal: Terminal, body: { chipUid: string; queryPassword: string }) {
  requireTerminalKind(terminal, 'kiosk');
  const account = await accountOfCard(deps, body.chipUid);
  return withPassword(deps, chipSubject(body.chipUid, 'query'), account?.accountNo, body.queryPassword, async (accountNo) => {
    await verifyHolderPassword(deps, accountNo, 'query', body.queryPassword);
    // Read after the check: the answer is the account as it is now.
    const current = (await getAccount(deps.db, accountNo)) ?? account!;
    return {
      accountNo: current.accountNo,
      holderDisplayName: maskHolderName(current.holderName),
      status: current.status,
      balanceFen: current.balanceFen,
      transitionalFen: current.transitionalFen,
      dailyLimitFen: current.dailyLimitFen,
      ...(current.boundBankCardNo ? { bankCardMasked: maskTail(current.boundBankCardNo) } : {}),
    };
  });
}

/** The card is gone, so the account number and the query password (as on the phone or at the counter). */
export async function reportLossAtKiosk(deps: KioskDeps, terminal: Terminal, body: { accountNo: string; queryPassword: string }) {
  requireTerminalKind(terminal, 'kiosk');
  return withPassword(deps, `account#${body.accountNo}#query`, body.accountNo, body.queryPassword, (accountNo) => reportLoss(deps, accountNo, body.queryPassword));
}

/** With the card in the slot the kiosk may always unfreeze (the app only if the policy allows it): the same rule otherwise. */
export async function unfreezeAtKiosk(deps: KioskDeps, terminal: Terminal, body: { chipUid: string; queryPassword: string }) {
  requireTerminalKind(terminal, 'kiosk');
  const account = await accountOfCard(deps, body.chipUid);
  return withPassword(deps, chipSubject(body.chipUid, 'query'), account?.accountNo, body.queryPassword, (accountNo) => unfreezeWithPassword(deps, accountNo, body.queryPassword));
}

export async function changePasswordAtKiosk(deps: KioskDeps, terminal: Terminal, kind: PasswordKind, body: { chipUid: string; oldPassword: string; newPassword: string }) {
  requireTerminalKind(terminal, 'kiosk');
  const account = await accountOfCard(deps, body.chipUid);
  await withPassword(deps, chipSubject(body.chipUid, kind), account?.accountNo, body.oldPassword, (accountNo) =>
    changeHolderPassword(deps, accountNo, kind, body.oldPassword, body.newPassword),
  );
  return { changed: true as const };
}

export async function setDailyLimitAtKiosk(deps: KioskDeps, terminal: Terminal, body: { chipUid: string; dailyLimitFen: number; consumptionPassword: string }) {
  requireTerminalKind(terminal, 'kiosk');
  // Out of range is refused before any card is looked up or password tried, known card or not.
  await assertDailyLimitInRange(deps, body.dailyLimitFen);
  const account = await accountOfCard(deps, body.chipUid);
  return withPassword(deps, chipSubject(body.chipUid, 'consumption'), account?.accountNo, body.consumptionPassword, (accountNo) =>
    changeDailyLimit(deps, accountNo, body.dailyLimitFen, body.consumptionPassword),
  );
}
