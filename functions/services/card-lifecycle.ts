/**
 * What a holder does to their own card: change passwords, set the daily limit, report loss,
 * unfreeze; and the self-service replacement at a kiosk. Each needs the right password (counted
 * toward its lockout) and writes with the account's version condition, retrying on a race.
 */
import { yuanParam } from '../../shared/errors';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import type { Account } from '../domain/account';
import { campusDay } from '../domain/campus-day';
import type { Card } from '../domain/card';
import { fingerprint } from '../domain/fingerprint';
import type { Terminal } from '../domain/merchant';
import { planReplacementFee } from '../domain/movement-plans';
import { replacementFeeFen } from '../domain/policy';
import type { PasswordKind } from '../domain/passwords';
import { changeAccountStatus, getAccount, setDailyLimit } from '../store/accounts';
import { listCards } from '../store/cards';
import { cardStatusUpdate, keys } from '../store/keys';
import type { TransactItem } from '../store/movements';
import type { LedgerEntry } from '../domain/ledger';
import { getPolicy } from '../store/policy';
import { withVersionRetry } from '../store/version-retry';
import { changeHolderPassword as changeVerifiedPassword, verifyHolderPassword } from './passwords';

type LifecycleDeps = Pick<Deps, 'db' | 'clock' | 'movements'>;

async function readAccount(deps: Pick<Deps, 'db'>, accountNo: string): Promise<Account> {
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  return account;
}

/** Runs a versioned change of the account until it lands (another change in between: read again). */
function withAccountRetry<T = true>(deps: Pick<Deps, 'db'>, accountNo: string, attempt: (account: Account) => Promise<T | false>): Promise<T> {
  return withVersionRetry(() => readAccount(deps, accountNo), attempt, { what: `account ${accountNo}` });
}

/** Counted on the password's lockout like any check (see services/passwords.ts). */
export async function changeHolderPassword(deps: LifecycleDeps, accountNo: string, kind: PasswordKind, oldPassword: string, newPassword: string): Promise<void> {
  await changeVerifiedPassword(deps, accountNo, kind, oldPassword, newPassword);
}

/** The policy's range for a daily limit, checked before any password is tried (an out-of-range limit costs no attempt). */
export async function assertDailyLimitInRange(deps: Pick<Deps, 'db'>, dailyLimitFen: number): Promise<void> {
  const policy = await getPolicy(deps.db);
  if (!Number.isSafeInteger(dailyLimitFen) || dailyLimitFen < 0 || dailyLimitFen > policy.maxDailyLimitFen) {
    throw new AppError('DAILY_LIMIT_OUT_OF_RANGE', `${dailyLimitFen} > ${policy.maxDailyLimitFen}`, { max: yuanParam(policy.maxDailyLimitFen) });
  }
}

export async function changeDailyLimit(deps: LifecycleDeps, accountNo: string, dailyLimitFen: number, consumptionPassword: string): Promise<{ dailyLimitFen: number }> {
  await assertDailyLimitInRange(deps, dailyLimitFen);
  await verifyHolderPassword(deps, accountNo, 'consumption', consumptionPassword);
  await withAccountRetry(deps, accountNo, (account) => setDailyLimit(deps.db, account, dailyLimitFen));
  return { dailyLimitFen };
}

async function activePhysicalCard(deps: Pick<Deps, 'db'>, account: Account): Promise<Card | undefined> {
  if (!account.activePhysicalCardId) return undefined;
  return (await listCards(deps.db, account.accountNo)).find((card) => card.cardId === account.activePhysicalCardId);
}

/** Reports the card lost: payment and identity are refused at once, on every terminal and in the offline blacklist. */
export async function reportLoss(deps: LifecycleDeps, accountNo: string, queryPassword: string): Promise<{ status: 'lost' }> {
  await verifyHolderPassword(deps, accountNo, 'query', queryPassword);
  await markLost(deps, accountNo, undefined, { by: 'holder' });
  return { status: 'lost' };
}

/**
 * The one loss rule, whoever checked the holder (their password, or card staff at the counter): an
 * active account and its active card lost; already lost is done (changed false, nothing written); a
 * frozen or closed account is refused. `alsoWrite` commits with the change (the staff action log).
 */
export async function markLost(
  deps: Pick<Deps, 'db' | 'clock'>,
  accountNo: string,
  alsoWrite: (account: Account) => TransactItem[] = () => [],
  who: { by: string; reason?: string } = { by: 'holder' },
): Promise<{ changed: boolean }> {
  return withAccountRetry(deps, accountNo, async (account) => {
    if (account.status === 'lost') return { changed: false };
    if (account.status !== 'active') throw new AppError(account.status === 'frozen' ? 'CARD_FROZEN' : 'CARD_CANCELLED', accountNo);
    const card = await activePhysicalCard(deps, account);
    const lostCard = card && card.status === 'active' ? { cardId: card.cardId, chipUid: card.chipUid, status: 'lost' as const } : undefined;
    return (await changeAccountStatus(deps.db, account, 'lost', lostCard, deps.clock().toISOString(), alsoWrite(account), who)) && { changed: true };
  });
}

/** Unfreezes a card the holder reported lost (policy: in the app, or only at the card centre). A frozen account is for card staff. */
export async function unfreezeLostCard(deps: LifecycleDeps, accountNo: string, queryPassword: string): Promise<{ status: 'active' }> {
  const policy = await getPolicy(deps.db);
  if (!policy.unfreezeInApp) throw new AppError('UNFREEZE_AT_CARD_CENTRE', accountNo);
  return unfreezeWithPassword(deps, accountNo, queryPassword);
}

/**
 * The one unfreeze rule, wherever it is allowed: the query password, then a lost account (and its
 * lost card) active again; a frozen or closed account is for card staff. The app calls it when the
 * policy allows it there; the kiosk always may, since the card itself is in its slot.
 */
export async function unfreezeWithPassword(deps: LifecycleDeps, accountNo: string, queryPassword: string): Promise<{ status: 'active' }> {
  await verifyHolderPassword(deps, accountNo, 'query', queryPassword);
  await withAccountRetry(deps, accountNo, async (account) => {
    if (account.status === 'active') return true;
    if (account.status !== 'lost') throw new AppError('UNFREEZE_AT_CARD_CENTRE', `${accountNo} is ${account.status}`);
    const card = await activePhysicalCard(deps, account);
    const found = card && card.status === 'lost' ? { cardId: card.cardId, chipUid: card.chipUid, status: 'active' as const } : undefined;
    return changeAccountStatus(deps.db, account, 'active', found, deps.clock().toISOString(), [], { by: 'holder' });
  });
  return { status: 'active' };
}

/**
 * Self-service replacement at a kiosk: the policy's fee (more for temporary cards) is charged and the new
 * card takes over in the same transaction; the old card is void at once and forever; the new one is
 * refused at the library, clinic and bus until tomorrow (replacedOn).
 */
export async function replaceCardAtKiosk(
  deps: LifecycleDeps,
  terminal: Terminal,
  request: { replacementId: string; accountNo: string; queryPassword: string; newChipUid: string; newKind: 'cpu' | 'm1' },
) {
  await verifyHolderPassword(deps, request.accountNo, 'query', request.queryPassword);
  const { entry, replayed, newCardId } = await replaceCard(deps, {
    accountNo: request.accountNo,
    idempotencyKey: `replacement#${terminal.terminalId}#${request.replacementId}`,
    externalRef: request.replacementId,
    operator: terminal.terminalId,
    newChipUid: request.newChipUid,
    newKind: request.newKind,
    handedOver: 'kiosk',
  });
  return { receiptNo: entry.receiptNo, feeFen: entry.amountFen, balanceFen: entry.after.balanceFen, newCardId, replayed };
}

export interface ReplaceCard {
  accountNo: string;
  idempotencyKey: string;
  externalRef: string;
  /** Who hands over the card: a kiosk's terminal id or a staff member. */
  operator: string;
  newChipUid: string;
  newKind: 'cpu' | 'm1';
  /**
   * kiosk: self-service, needs the policy's minimum balance (REPLACEMENT_NEEDS_BALANCE);
   * counter: staff checked the holder, the balance need only cover the fee (INSUFFICIENT_BALANCE).
   */
  handedOver: 'kiosk' | 'counter';
  /** More writes that commit with the replacement (the app's request marked issued). */
  alsoWrite?: (entry: LedgerEntry) => { item: TransactItem; onConflict: () => AppError | 'retry' }[];
}

/**
 * A replacement card, wherever it is handed over: the fee, the new card active and the old one
 * replaced, in one transaction with the ledger entry; a lost account is active again with the new card.
 * A new card that is not a CPU card releases the transitional balance in that same entry: no chip is
 * left to write it to (planReplacementFee).
 */
export async function replaceCard(deps: Pick<Deps, 'db' | 'clock' | 'movements'>, request: ReplaceCard) {
  const policy = await getPolicy(deps.db);
  const now = deps.clock();
  const today = campusDay(now);
  const newCard: Card = { cardId: `C${request.newChipUid}`, accountNo: request.accountNo, kind: request.newKind, chipUid: request.newChipUid, status: 'active', issuedAt: now.toISOString(), issuedOn: today };
  // Who, for the account's history: the holder themself at a kiosk, else the staff member.
  const by = request.handedOver === 'kiosk' ? 'holder' : request.operator;
  let oldCardId: string | undefined;
  let oldChipUid: string | undefined;
  const { entry, replayed } = await deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: request.idempotencyKey,
    fingerprint: fingerprint({ type: 'replacement', accountNo: request.accountNo, chip: request.newChipUid }),
    // Checked inside the plan, so a retry of a done replacement answers as it did (the store replays it).
    plan: (account, day) => {
      if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', account.accountNo);
      const feeFen = replacementFeeFen(policy, account.cardType);
      const needed = request.handedOver === 'kiosk' ? Math.max(feeFen, policy.selfReplacementMinBalanceFen) : feeFen;
      // No CPU card after this one: the transitional balance is released with the fee, and counts toward it.
      const releaseTransitional = request.newKind !== 'cpu';
      const available = account.balanceFen + (releaseTransitional ? account.transitionalFen : 0);
      if (available < needed) throw new AppError(request.handedOver === 'kiosk' ? 'REPLACEMENT_NEEDS_BALANCE' : 'INSUFFICIENT_BALANCE', `${available} < ${needed}`, { min: yuanParam(needed) });
      oldCardId = account.activePhysicalCardId;
      oldChipUid = account.activeChipUid;
      const fee = planReplacementFee(
        account,
        { amountFen: feeFen, channel: 'counter', externalRef: request.externalRef, reason: 'card replacement', operator: request.operator, releaseTransitional },
        day,
      );
      return {
        ...fee,
        // A replacement restores a lost card's service with the new card; a frozen account stays frozen.
        ...(account.status === 'lost' ? { statusAfter: 'active' as const, statusBy: by } : {}),
        accountFields: { activePhysicalCardId: newCard.cardId, activeChipUid: request.newChipUid, activePhysicalCardKind: request.newKind, replacedOn: today },
      };
    },
    alsoWrite: (entry) => [
      {
        item: {
          Put: {
            TableName: deps.db.tableName,
            Item: { ...keys.card(request.accountNo, newCard.cardId), ...newCard, issuedBy: by, replacementFeeFen: entry.amountFen },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConflict: () => new AppError('CARD_UID_TAKEN', request.newChipUid),
      },
      {
        item: { Put: { TableName: deps.db.tableName, Item: { ...keys.chipUid(request.newChipUid), accountNo: request.accountNo, cardId: newCard.cardId }, ConditionExpression: 'attribute_not_exists(pk)' } },
        onConflict: () => new AppError('CARD_UID_TAKEN', request.newChipUid),
      },
      ...(oldCardId
        ? [
            {
              item: {
                // Void for ever, and on the offline blacklist for ever (keys.cardStatusUpdate).
                Update: {
                  TableName: deps.db.tableName,
                  ...cardStatusUpdate({ accountNo: request.accountNo, cardId: oldCardId, chipUid: oldChipUid }, 'replaced', now.toISOString(), { by, reason: `replaced by ${newCard.cardId}`, feeFen: entry.amountFen }),
                },
              },
              onConflict: () => 'retry' as const,
            },
          ]
        : []),
      ...(request.alsoWrite?.(entry) ?? []),
    ],
  });
  return { entry, replayed, newCardId: newCard.cardId };
}
