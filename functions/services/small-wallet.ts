/**
 * Water control (functions/domain/small-wallet.ts, docs/water.md), at two kinds of terminal:
 *
 * - Older pre-deduction controllers: the first tap preloads the small wallet and opens a water
 *   session (a pending transfer); the next tap there settles what was used. Each step is one
 *   movement with the session's change committed in it. A tap on another controller gives the
 *   orphaned session back first; the scheduled resolver gives back sessions nobody settled.
 * - Settlement terminals, with the small wallet on the chip: a tap settles what the controllers let
 *   run since the last settlement (our small wallet less the chip's) and fills the wallet back up to
 *   the cap; the controllers spend the chip's wallet offline and upload their records later, which
 *   are checked against the settlements (never moving money).
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { maskHolderName, spendRefusal, type Account } from '../domain/account';
import { campusDay } from '../domain/campus-day';
import { cardRefusal, type Card } from '../domain/card';
import { fingerprint } from '../domain/fingerprint';
import type { Terminal } from '../domain/merchant';
import { observeOnlineTap } from '../domain/chip';
import { ChipMismatch, planAtChipTap, planSmallWalletPreload, planSmallWalletSettle, planSmallWalletUsage, type ChipTap } from '../domain/movement-plans';
import type { MovementPlan } from '../domain/ledger';
import { PENDING_TIMEOUT_SECONDS } from '../domain/pending';
import { WATER_POLICY } from '../domain/policy';
import {
  chipWalletUsage,
  newWaterSession,
  oldestUnsettled,
  preloadStep,
  sessionPreloadFen,
  usageDiscrepancies,
  walletRefillFen,
  type UsageDiscrepancy,
  type WaterResolution,
  type WaterSession,
} from '../domain/small-wallet';
import { getAccount } from '../store/accounts';
import { findCardByChipUid } from '../store/cards';
import { failedItems, transactWrite } from '../store/conditions';
import { answerAsOriginal, type MovementResult } from '../store/movements';
import { freezeForMismatch } from './charge';
import { levelIfDue } from './levelling';
import { listDuePending } from '../store/pending';
import { recordFinding } from '../store/reconciliation-findings';
import {
  endWaterSessionItems,
  finishWalletTapItem,
  getOpenWaterSession,
  getWalletTap,
  isFinished,
  listUsageRecords,
  listUnsettledUsageAccounts,
  listWalletSettlements,
  markUnsettledUsage,
  openWaterSessionItems,
  putUsageRecord,
  walletTapItems,
  type FinishedWalletTap,
  type WalletTap,
} from '../store/small-wallet';

type WaterDeps = Pick<Deps, 'movements' | 'db' | 'clock' | 'logger'>;

const sessionKey = (terminal: Pick<Terminal, 'terminalId'>, tapId: string) => `water#${terminal.terminalId}#${tapId}`;
const preloadFingerprint = (accountNo: string, amountFen: number | undefined) => fingerprint({ type: 'small_wallet_preload', accountNo, amountFen: amountFen ?? null });
const settleFingerprint = (accountNo: string, usedFen: number) => fingerprint({ type: 'small_wallet_settle', accountNo, amountFen: usedFen });

/** Thrown to find out whether a key already posted (answerAsOriginal answers the original, or throws this back). */
class NotPostedYet extends AppError<'BUSY_RETRY'> {
  constructor() {
    super('BUSY_RETRY', 'not posted under this key yet');
  }
}

/** A CPU card's main purse as read at a water tap (an M1 card carries no balance on its chip). */
type ChipRead = Omit<ChipTap, 'at'>;

function chipOf(card: Card, read: { chipBalanceFen?: number | undefined }): ChipRead | undefined {
  return card.kind === 'cpu' && read.chipBalanceFen !== undefined ? { cardId: card.cardId, chipReadFen: read.chipBalanceFen } : undefined;
}

/** As at a card charge: card spending no terminal has uploaded for too long is levelled to the card first (services/levelling.ts). */
async function levelFirst(deps: WaterDeps, accountNo: string, chip: ChipRead | undefined): Promise<void> {
  if (chip) await levelIfDue(deps, accountNo, chip.cardId, chip.chipReadFen);
}

/** A CPU card tap must send its main purse and counter, as at a card charge: the water moves the balance the chip carries. */
function chipReadRefusal(card: Card, read: { chipBalanceFen?: number | undefined; cardTxnCounter?: number | undefined }): AppError | undefined {
  return card.kind === 'cpu' && (read.chipBalanceFen === undefined || read.cardTxnCounter === undefined) ? new AppError('CHIP_READ_REQUIRED', card.cardId) : undefined;
}

/** The plan, keeping the chip's main purse in step when a CPU card was read (the card charge's rule). */
function atTap(deps: Pick<Deps, 'clock'>, account: Account, planned: MovementPlan, chip: ChipRead | undefined): MovementPlan {
  return chip ? planAtChipTap(account, planned, { ...chip, at: deps.clock().toISOString() }) : planned;
}

/** The freeze rule at a water tap, as at a card charge: the account is frozen for card staff and the tap refused (CARD_FROZEN). */
async function freezingOnMismatch<T>(deps: Pick<Deps, 'db' | 'clock'>, accountNo: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ChipMismatch) await freezeForMismatch(deps, accountNo);
    throw error;
  }
}

/**
 * The first tap at a pre-deduction controller. `amountFen` absent: the policy's amount, or the whole
 * balance if less. `cardId`: the tapped card, which must still be the account's card when it posts.
 */
export async function preloadSmallWallet(deps: WaterDeps, terminal: Terminal, request: { accountNo: string; tapId: string; amountFen?: number; cardId?: string; chip?: ChipRead }): Promise<MovementResult> {
  const idempotencyKey = sessionKey(terminal, request.tapId);
  const requestFingerprint = preloadFingerprint(request.accountNo, request.amountFen);
  const open = await getOpenWaterSession(deps.db, request.accountNo);
  const step = preloadStep(open, terminal.terminalId);
  if (step === 'orphan_then_open') {
    // A retry of a tap that already opened its session must not orphan the session opened since.
    const posted = await answerAsOriginal(deps.db, idempotencyKey, requestFingerprint, new NotPostedYet()).catch((error: unknown) => {
      if (error instanceof NotPostedYet) return undefined;
      throw error;
    });
    if (posted) return posted;
    await endSession(deps, open!, 0, 'expired', 'orphaned');
  }
  return freezingOnMismatch(deps, request.accountNo, () =>
    deps.movements.post({
      accountNo: request.accountNo,
      idempotencyKey,
      fingerprint: requestFingerprint,
      plan: async (account, today) => {
        if (request.cardId !== undefined && account.activePhysicalCardId !== request.cardId) throw new AppError('CARD_VOID', `card ${request.cardId} is not ${account.accountNo}'s card`);
        if (step === 'in_use') throw new AppError('SMALL_WALLET_IN_USE', `${request.accountNo} at ${terminal.terminalId}`);
        if (account.smallWalletFen > 0) {
          // A session settles by emptying the whole wallet: a wallet already holding money is another
          // session's (one opened meanwhile) or the chip's (settle it at a settlement terminal first).
          const other = await getOpenWaterSession(deps.db, account.accountNo);
          throw other
            ? new AppError('SMALL_WALLET_IN_USE', `${account.accountNo} at ${other.terminalId}`)
            : new AppError('SMALL_WALLET_HELD_ON_CHIP', `${account.accountNo} holds ${account.smallWalletFen}`);
        }
        const amountFen = request.amountFen ?? sessionPreloadFen(account.balanceFen);
        if (request.amountFen === undefined && amountFen === 0) throw new AppError('INSUFFICIENT_BALANCE', `account ${account.accountNo} has nothing to pre-deduct`);
        const planned = planSmallWalletPreload(
          account,
          { amountFen, channel: 'water', externalRef: request.tapId, terminalId: terminal.terminalId, merchantId: terminal.merchantId },
          today,
        );
        return atTap(deps, account, planned, request.chip);
      },
      // Made once the plan has judged the amount; the session is named after its preload entry.
      alsoWrite: (entry) =>
        openWaterSessionItems(
          deps.db,
          newWaterSession({ sessionId: sessionIdOf(entry.entryId), accountNo: request.accountNo, terminalId: terminal.terminalId, merchantId: terminal.merchantId, amountFen: entry.amountFen }, new Date(entry.createdAt)),
        ).map((item) => ({ item, onConflict: () => new AppError('SMALL_WALLET_IN_USE', request.accountNo) })),
    }),
  );
}

const sessionIdOf = (preloadEntryId: string) => `W${preloadEntryId}`;

/** The second tap at the controller that preloaded: the water used goes to the merchant, the rest back to the balance. */
export async function settleSmallWallet(deps: WaterDeps, terminal: Terminal, request: { accountNo: string; usedFen: number; tapId: string; cardId?: string; chip?: ChipRead }): Promise<MovementResult> {
  const open = await getOpenWaterSession(deps.db, request.accountNo);
  return freezingOnMismatch(deps, request.accountNo, () =>
    deps.movements.post({
      accountNo: request.accountNo,
      idempotencyKey: sessionKey(terminal, request.tapId),
      fingerprint: settleFingerprint(request.accountNo, request.usedFen),
      plan: (account, today) => {
        if (request.cardId !== undefined && account.activePhysicalCardId !== request.cardId) throw new AppError('CARD_VOID', `card ${request.cardId} is not ${account.accountNo}'s card`);
        if (!open || open.terminalId !== terminal.terminalId) throw new AppError('SMALL_WALLET_NOT_IN_USE', `${request.accountNo} at ${terminal.terminalId}`);
        const planned = planSmallWalletSettle(
          account,
          { amountFen: request.usedFen, channel: 'water', externalRef: request.tapId, terminalId: terminal.terminalId, merchantId: terminal.merchantId },
          today,
        );
        return atTap(deps, account, planned, request.chip);
      },
      alsoWrite: () =>
        endWaterSessionItems(deps.db, open!, 'posted', 'settled', request.usedFen, deps.clock().toISOString()).map((item) => ({
          item,
          onConflict: () => new AppError('SMALL_WALLET_NOT_IN_USE', request.accountNo),
        })),
    }),
  );
}

/** The tapped card (any status: a retry of a posted tap answers as the original even if the card was reported lost since). */
async function tappedCard(deps: Pick<Deps, 'db'>, chipUid: string): Promise<Card> {
  const card = await findCardByChipUid(deps.db, chipUid);
  if (!card) throw new AppError('CARD_NOT_FOUND', chipUid);
  return card;
}

function cardRefusalError(card: Card): AppError | undefined {
  const refusal = cardRefusal(card.status);
  return refusal ? new AppError(refusal, `card ${card.cardId} is ${card.status}`) : undefined;
}

export interface WaterSessionAnswer {
  sessionId: string;
  accountNo: string;
  holderDisplayName: string;
  preloadedFen: number;
  balanceFen: number;
  smallWalletFen: number;
  receiptNo: string;
  expiresAt: string;
  chipBalanceToWriteFen?: number;
  postedAt: string;
  replayed: boolean;
}

/** POST /v1/pos/water/sessions: the first tap at a pre-deduction controller, by the tapped card. */
export async function openWaterSessionAtTap(deps: WaterDeps, terminal: Terminal, body: { tapId: string; chipUid: string; chipBalanceFen?: number | undefined; cardTxnCounter?: number | undefined }): Promise<WaterSessionAnswer> {
  const card = await tappedCard(deps, body.chipUid);
  const refusal = cardRefusalError(card) ?? chipReadRefusal(card, body);
  const chip = chipOf(card, body);
  if (!refusal) await levelFirst(deps, card.accountNo, chip);
  const result = refusal
    ? await answerAsOriginal(deps.db, sessionKey(terminal, body.tapId), preloadFingerprint(card.accountNo, undefined), refusal)
    : await preloadSmallWallet(deps, terminal, { accountNo: card.accountNo, tapId: body.tapId, cardId: card.cardId, ...(chip ? { chip } : {}) });
  const { entry } = result;
  if (entry.type !== 'small_wallet_preload') throw new AppError('IDEMPOTENCY_CONFLICT', `tap ${body.tapId} was a ${entry.type}`);
  return {
    sessionId: sessionIdOf(entry.entryId),
    accountNo: entry.accountNo,
    holderDisplayName: maskHolderName(result.holderName),
    preloadedFen: entry.amountFen,
    balanceFen: entry.after.balanceFen,
    smallWalletFen: entry.after.smallWalletFen,
    receiptNo: entry.receiptNo,
    expiresAt: new Date(Date.parse(entry.createdAt) + PENDING_TIMEOUT_SECONDS.small_wallet_preload * 1000).toISOString(),
    ...chipWriteOf(entry),
    postedAt: entry.createdAt,
    replayed: result.replayed,
  };
}

export interface WaterSettlementAnswer {
  accountNo: string;
  holderDisplayName: string;
  usedFen: number;
  refundedFen: number;
  balanceFen: number;
  smallWalletFen: number;
  chipBalanceToWriteFen?: number;
  receiptNo: string;
  postedAt: string;
  replayed: boolean;
}

/** POST /v1/pos/water/sessions/settlement: the second tap at the controller that pre-deducted. */
export async function settleWaterSessionAtTap(
  deps: WaterDeps,
  terminal: Terminal,
  body: { tapId: string; chipUid: string; usedFen: number; chipBalanceFen?: number | undefined; cardTxnCounter?: number | undefined },
): Promise<WaterSettlementAnswer> {
  const card = await tappedCard(deps, body.chipUid);
  const refusal = cardRefusalError(card) ?? chipReadRefusal(card, body);
  const chip = chipOf(card, body);
  if (!refusal) await levelFirst(deps, card.accountNo, chip);
  const result = refusal
    ? await answerAsOriginal(deps.db, sessionKey(terminal, body.tapId), settleFingerprint(card.accountNo, body.usedFen), refusal)
    : await settleSmallWallet(deps, terminal, { accountNo: card.accountNo, usedFen: body.usedFen, tapId: body.tapId, cardId: card.cardId, ...(chip ? { chip } : {}) });
  const { entry } = result;
  if (entry.type !== 'small_wallet_settle') throw new AppError('IDEMPOTENCY_CONFLICT', `tap ${body.tapId} was a ${entry.type}`);
  return {
    accountNo: entry.accountNo,
    holderDisplayName: maskHolderName(result.holderName),
    usedFen: entry.amountFen,
    refundedFen: entry.delta.balanceFen,
    balanceFen: entry.after.balanceFen,
    smallWalletFen: entry.after.smallWalletFen,
    ...chipWriteOf(entry),
    receiptNo: entry.receiptNo,
    postedAt: entry.createdAt,
    replayed: result.replayed,
  };
}

/** What the entry told the terminal to write to the chip's main purse (CPU cards), answered again on a retry. */
function chipWriteOf(entry: Pick<MovementResult['entry'], 'chipBalanceAfterFen'>): { chipBalanceToWriteFen?: number } {
  return entry.chipBalanceAfterFen !== undefined ? { chipBalanceToWriteFen: entry.chipBalanceAfterFen } : {};
}

/**
 * Gives a session back without a settlement tap: nothing was used that anyone can prove, so all of it
 * returns to the balance. No card is written (none is on a reader, or the tap that orphaned it writes
 * its own answer): the chip stays below the account, the safe side, until its next online tap.
 */
function endSession(deps: WaterDeps, session: WaterSession, usedFen: number, to: 'expired', resolution: WaterResolution): Promise<MovementResult> {
  return deps.movements.post({
    accountNo: session.accountNo,
    idempotencyKey: `water-return#${session.sessionId}`,
    fingerprint: fingerprint({ type: 'small_wallet_settle', accountNo: session.accountNo, amountFen: usedFen }),
    plan: (account, today) =>
      planSmallWalletSettle(account, { amountFen: usedFen, channel: 'water', externalRef: session.sessionId, terminalId: session.terminalId, merchantId: session.merchantId, reason: resolution }, today),
    alsoWrite: () => endWaterSessionItems(deps.db, session, to, resolution, usedFen, deps.clock().toISOString()).map((item) => ({ item, onConflict: () => 'retry' as const })),
  });
}

export interface WaterReturnReport {
  checked: number;
  returned: number;
  /** Accounts whose controller records have waited a day for a settlement, checked again (findings). */
  usageChecked: number;
  failures: ({ sessionId: string; error: string } | { accountNo: string; error: string })[];
}

/**
 * The water resolver (hourly): every session past its timeout is given back whole (a pre-deduction
 * orphaned for good); and every account whose controller records have waited a day for a settlement
 * is checked, so usage the merchant was never paid for is a finding even if the card never returns.
 */
export async function returnUnsettledWater(deps: WaterDeps): Promise<WaterReturnReport> {
  const now = deps.clock();
  const due = await listDuePending<WaterSession>(deps.db, 'small_wallet_preload', now);
  const report: WaterReturnReport = { checked: due.length, returned: 0, usageChecked: 0, failures: [] };
  for (const session of due) {
    try {
      await endSession(deps, session, 0, 'expired', 'not_settled_in_time');
      report.returned++;
    } catch (error) {
      report.failures.push({ sessionId: session.sessionId, error: error instanceof Error ? error.message : String(error) });
      deps.logger.error('water session not returned', { sessionId: session.sessionId, error });
    }
  }
  const dueBefore = new Date(now.getTime() - WATER_POLICY.unsettledUsageSeconds * 1000).toISOString();
  for (const accountNo of await listUnsettledUsageAccounts(deps.db, `${dueBefore}~`)) {
    try {
      await checkWaterUsage(deps, accountNo);
      report.usageChecked++;
    } catch (error) {
      report.failures.push({ accountNo, error: error instanceof Error ? error.message : String(error) });
      deps.logger.error('water usage not checked', { accountNo, error });
    }
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Settlement terminals: the small wallet on the chip.

export interface WalletSettlementAnswer {
  tapId: string;
  accountNo: string;
  holderDisplayName: string;
  usageFen: number;
  refillFen: number;
  refillRefused?: NonNullable<ReturnType<typeof spendRefusal>>;
  balanceFen: number;
  smallWalletFen: number;
  chipWalletToWriteFen: number;
  chipBalanceToWriteFen?: number;
  receiptNos: string[];
  settledAt: string;
  replayed: boolean;
}

/** Thrown by the usage plan when the chip shows all we preloaded: nothing to settle, no movement (re-checked on a fresh read). */
class NothingUsed extends AppError<'BUSY_RETRY'> {
  constructor(readonly account: Account) {
    super('BUSY_RETRY', 'no water used since the last settlement');
  }
}

/** Thrown by the refill plan: the wallet is full, the balance empty, or the account may not spend. */
class NoRefill extends AppError<'BUSY_RETRY'> {
  constructor(
    readonly account: Account,
    readonly refusal: ReturnType<typeof spendRefusal>,
  ) {
    super('BUSY_RETRY', `no refill (${refusal ?? 'nothing to add'})`);
  }
}

/**
 * POST /v1/pos/water/wallet-settlements. Two movements, because the ledger gives each entry one
 * kind: the usage (`small_wallet_settle`, the rest kept in the wallet: the chip still holds it) and
 * the refill (`small_wallet_preload`). The tap's record (WATERTAP) commits with the first and is
 * finished with the second, so a retry under the same tap id finishes what is missing and answers
 * from the record, never moving anything twice; another request under the id is IDEMPOTENCY_CONFLICT.
 */
type WalletTapBody = { tapId: string; chipUid: string; chipWalletFen: number; chipBalanceFen?: number | undefined; cardTxnCounter?: number | undefined };

export async function settleChipWallet(deps: WaterDeps, terminal: Terminal, body: WalletTapBody): Promise<WalletSettlementAnswer> {
  // A retry carries the same reading of the chip, its main purse too (both are written in one card write).
  const tapFingerprint = fingerprint({ type: 'water_wallet_tap', chipUid: body.chipUid, chipWalletFen: body.chipWalletFen, ...(body.chipBalanceFen !== undefined ? { chipBalanceFen: body.chipBalanceFen } : {}) });
  const earlier = await getWalletTap(deps.db, terminal.terminalId, body.tapId);
  if (earlier && earlier.fingerprint !== tapFingerprint) throw new AppError('IDEMPOTENCY_CONFLICT', `tap ${body.tapId} at ${terminal.terminalId}`);
  if (earlier && isFinished(earlier)) return walletAnswer(earlier, true);
  const tap = earlier ?? (await settleChipUsage(deps, terminal, body, tapFingerprint));
  const finished = isFinished(tap) ? tap : await refillChipWallet(deps, terminal, tap);
  await checkWaterUsage(deps, finished.accountNo).catch((error: unknown) => deps.logger.error('water usage check failed', { accountNo: finished.accountNo, error }));
  return walletAnswer(finished, false);
}

async function settleChipUsage(deps: WaterDeps, terminal: Terminal, body: WalletTapBody, tapFingerprint: string): Promise<WalletTap> {
  const card = await tappedCard(deps, body.chipUid);
  const refusal = cardRefusalError(card) ?? chipReadRefusal(card, body);
  if (refusal) throw refusal;
  // A pre-deduction session holds the wallet too (its settlement empties it): not both at once.
  if (await getOpenWaterSession(deps.db, card.accountNo)) throw new AppError('SMALL_WALLET_IN_USE', card.accountNo);
  const chip = chipOf(card, body);
  await levelFirst(deps, card.accountNo, chip);
  if (chip) await judgeChipFirst(deps, card.accountNo, chip);
  const tapOf = (usageFen: number, settledAt: string, usageReceiptNo?: string, chipBalanceToWriteFen?: number): WalletTap => ({
    terminalId: terminal.terminalId,
    tapId: body.tapId,
    merchantId: terminal.merchantId,
    fingerprint: tapFingerprint,
    accountNo: card.accountNo,
    chipUid: body.chipUid,
    chipWalletFen: body.chipWalletFen,
    ...(chip ? { chipBalanceFen: chip.chipReadFen, cardId: chip.cardId } : {}),
    usageFen,
    settledAt,
    ...(usageReceiptNo ? { usageReceiptNo } : {}),
    ...(chipBalanceToWriteFen !== undefined ? { chipBalanceToWriteFen } : {}),
  });
  try {
    const { entry } = await freezingOnMismatch(deps, card.accountNo, () =>
      deps.movements.post({
        accountNo: card.accountNo,
        idempotencyKey: `water-wallet#${terminal.terminalId}#${body.tapId}`,
        fingerprint: tapFingerprint,
        plan: (account, today) => {
          if (account.activePhysicalCardId !== card.cardId) throw new AppError('CARD_VOID', `card ${card.cardId} is not ${account.accountNo}'s card`);
          const usageFen = chipWalletUsage(account.smallWalletFen, body.chipWalletFen);
          if (usageFen === 0) throw new NothingUsed(account);
          const planned = planSmallWalletUsage(account, { amountFen: usageFen, channel: 'water', externalRef: body.tapId, terminalId: terminal.terminalId, merchantId: terminal.merchantId }, today);
          return atTap(deps, account, planned, chip);
        },
        alsoWrite: (entry) =>
          walletTapItems(deps.db, tapOf(entry.amountFen, entry.createdAt, entry.receiptNo, entry.chipBalanceAfterFen)).map((item) => ({
            item,
            onConflict: () => new AppError('BUSY_RETRY', `tap ${body.tapId} recorded meanwhile`),
          })),
      }),
    );
    return tapOf(entry.amountFen, entry.createdAt, entry.receiptNo, entry.chipBalanceAfterFen);
  } catch (error) {
    if (error instanceof NothingUsed) {
      const tap = tapOf(0, deps.clock().toISOString());
      try {
        await transactWrite(deps.db, walletTapItems(deps.db, tap));
        return tap;
      } catch (writeError) {
        if (!failedItems(writeError).includes(0)) throw writeError;
      }
    }
    // The same tap recorded meanwhile by a racing retry: carry on from its record.
    const recorded = await getWalletTap(deps.db, terminal.terminalId, body.tapId);
    if (recorded?.fingerprint === tapFingerprint) return recorded;
    throw error;
  }
}

/**
 * The main purse as the refill must judge it: as read, or, when the usage movement of this tap has
 * judged that reading already, as that movement left it (the chip is written once, after both).
 */
function chipOfTap(tap: WalletTap, account: Account): ChipRead | undefined {
  if (tap.chipBalanceFen === undefined || tap.cardId === undefined) return undefined;
  const judged = tap.chipBalanceToWriteFen !== undefined;
  return { cardId: tap.cardId, chipReadFen: judged ? (account.chipBalanceFen ?? tap.chipBalanceToWriteFen!) : tap.chipBalanceFen };
}

/**
 * The freeze rule applies at every tap, one that moves nothing too (as at an idle card-load tap): the
 * wallet settlement may settle nothing and load nothing, and still show a chip out of step.
 */
async function judgeChipFirst(deps: WaterDeps, accountNo: string, chip: ChipRead): Promise<void> {
  const account = await getAccount(deps.db, accountNo);
  if (!account || account.status !== 'active') return;
  if (observeOnlineTap(account, { ...chip, balanceAfterFen: account.balanceFen, at: deps.clock().toISOString() }).freeze) {
    await freezeForMismatch(deps, accountNo);
    throw new AppError('CARD_FROZEN', `card/database differ on ${accountNo}`);
  }
}

async function refillChipWallet(deps: WaterDeps, terminal: Terminal, tap: WalletTap): Promise<FinishedWalletTap> {
  // The name of the account the plan read, for the tap record's answer (the plan runs before alsoWrite).
  let holderDisplayName = '';
  try {
    const { entry, replayed } = await freezingOnMismatch(deps, tap.accountNo, () =>
      deps.movements.post({
        accountNo: tap.accountNo,
        idempotencyKey: `water-wallet#${terminal.terminalId}#${tap.tapId}#refill`,
        fingerprint: tap.fingerprint,
        plan: (account, today) => {
          holderDisplayName = maskHolderName(account.holderName);
          const refusal = spendRefusal(account, today);
          const refillFen = walletRefillFen(account.smallWalletFen, account.balanceFen);
          if (refusal || refillFen === 0) throw new NoRefill(account, refusal);
          const planned = planSmallWalletPreload(account, { amountFen: refillFen, channel: 'water', externalRef: tap.tapId, terminalId: terminal.terminalId, merchantId: terminal.merchantId }, today);
          return atTap(deps, account, planned, chipOfTap(tap, account));
        },
        alsoWrite: (entry) => [
          {
            item: finishWalletTapItem(deps.db, tap, {
              refillFen: entry.amountFen,
              refillReceiptNo: entry.receiptNo,
              balanceFen: entry.after.balanceFen,
              smallWalletFen: entry.after.smallWalletFen,
              holderDisplayName,
              ...chipWriteOf(entry),
            }),
            onConflict: () => new AppError('BUSY_RETRY', `tap ${tap.tapId} finished meanwhile`),
          },
        ],
      }),
    );
    if (replayed) {
      // Posted by a racing retry, whose transaction finished the record too.
      const recorded = await getWalletTap(deps.db, terminal.terminalId, tap.tapId);
      if (recorded && isFinished(recorded)) return recorded;
    }
    return { ...tap, refillFen: entry.amountFen, refillReceiptNo: entry.receiptNo, balanceFen: entry.after.balanceFen, smallWalletFen: entry.after.smallWalletFen, holderDisplayName, ...chipWriteOf(entry) };
  } catch (error) {
    if (error instanceof NoRefill) {
      const finished = { refillFen: 0, balanceFen: error.account.balanceFen, smallWalletFen: error.account.smallWalletFen, holderDisplayName: maskHolderName(error.account.holderName), ...(error.refusal ? { refillRefused: error.refusal } : {}) };
      try {
        await transactWrite(deps.db, [finishWalletTapItem(deps.db, tap, finished)]);
        return { ...tap, ...finished };
      } catch (writeError) {
        if (!failedItems(writeError).includes(0)) throw writeError;
      }
    }
    const recorded = await getWalletTap(deps.db, terminal.terminalId, tap.tapId);
    if (recorded && isFinished(recorded)) return recorded;
    throw error;
  }
}

function walletAnswer(tap: FinishedWalletTap, replayed: boolean): WalletSettlementAnswer {
  return {
    tapId: tap.tapId,
    accountNo: tap.accountNo,
    holderDisplayName: tap.holderDisplayName,
    usageFen: tap.usageFen,
    refillFen: tap.refillFen,
    ...(tap.refillRefused ? { refillRefused: tap.refillRefused } : {}),
    balanceFen: tap.balanceFen,
    smallWalletFen: tap.smallWalletFen,
    chipWalletToWriteFen: tap.smallWalletFen,
    ...(tap.chipBalanceToWriteFen !== undefined ? { chipBalanceToWriteFen: tap.chipBalanceToWriteFen } : {}),
    receiptNos: [tap.usageReceiptNo, tap.refillReceiptNo].filter((receipt): receipt is string => receipt !== undefined),
    settledAt: tap.settledAt,
    replayed,
  };
}

// ---------------------------------------------------------------------------------------------
// The controllers' usage records, uploaded later: stored once, checked against the settlements.

export interface UsageUploadRecord {
  recordId: string;
  chipUid: string;
  occurredAt: string;
  amountFen: number;
  chipWalletAfterFen?: number;
}

export interface UsageUploadResult {
  recordId: string;
  outcome: 'stored' | 'conflict' | 'unknown_card';
  replayed: boolean;
}

/**
 * POST /v1/pos/water/usage-uploads. No money moves: the settlement terminal already settled the
 * usage from the chip's reading. Each record is stored once per controller and record id (a record
 * sent again answers `replayed`; one sent again with other content keeps the first, `conflict`);
 * then each account's records are checked against its settlements (findings for the card centre).
 */
export async function uploadWaterUsage(deps: WaterDeps, terminal: Terminal, records: readonly UsageUploadRecord[]): Promise<UsageUploadResult[]> {
  const uploadedAt = deps.clock().toISOString();
  const cards = new Map<string, Card | undefined>();
  const touched = new Set<string>();
  const results: UsageUploadResult[] = [];
  for (const record of records) {
    if (!cards.has(record.chipUid)) cards.set(record.chipUid, await findCardByChipUid(deps.db, record.chipUid));
    const card = cards.get(record.chipUid);
    if (!card) {
      results.push({ recordId: record.recordId, outcome: 'unknown_card', replayed: false });
      continue;
    }
    const stored = await putUsageRecord(deps.db, {
      terminalId: terminal.terminalId,
      merchantId: terminal.merchantId,
      recordId: record.recordId,
      accountNo: card.accountNo,
      chipUid: record.chipUid,
      occurredAt: record.occurredAt,
      amountFen: record.amountFen,
      uploadedAt,
      ...(record.chipWalletAfterFen !== undefined ? { chipWalletAfterFen: record.chipWalletAfterFen } : {}),
    });
    touched.add(card.accountNo);
    if (stored.stored) results.push({ recordId: record.recordId, outcome: 'stored', replayed: false });
    else {
      const same = stored.existing.amountFen === record.amountFen && stored.existing.occurredAt === record.occurredAt && stored.existing.chipUid === record.chipUid;
      results.push({ recordId: record.recordId, outcome: same ? 'stored' : 'conflict', replayed: true });
    }
  }
  for (const accountNo of touched) await checkWaterUsage(deps, accountNo);
  return results;
}

/** One account's controller records against its settlements; each difference is recorded once as a finding. */
export async function checkWaterUsage(deps: Pick<Deps, 'db' | 'clock'>, accountNo: string): Promise<UsageDiscrepancy[]> {
  const now = deps.clock();
  const [settlements, records] = await Promise.all([listWalletSettlements(deps.db, accountNo), listUsageRecords(deps.db, accountNo)]);
  const found = usageDiscrepancies(settlements, records, now);
  // Records still waiting for a settlement keep the account in the hourly sweep (returnUnsettledWater).
  await markUnsettledUsage(deps.db, accountNo, oldestUnsettled(settlements, records));
  for (const discrepancy of found) {
    const at = discrepancy.kind === 'water_usage_above_settled' ? discrepancy.settledAt : (discrepancy.sinceAt ?? 'start');
    await recordFinding(deps.db, {
      source: 'water_usage',
      kind: discrepancy.kind,
      day: campusDay(new Date(discrepancy.kind === 'water_usage_above_settled' ? discrepancy.settledAt : discrepancy.firstAt)),
      channel: 'water',
      // One finding per settlement interval, however many records arrive for it later.
      ref: `${accountNo}@${at}`,
      accountNo,
      outsideFen: discrepancy.recordsFen,
      ...(discrepancy.kind === 'water_usage_above_settled' ? { oursFen: discrepancy.settledFen } : { oursFen: 0 }),
      detail:
        discrepancy.kind === 'water_usage_above_settled'
          ? `controllers recorded ${discrepancy.recordsFen} fen of water between ${discrepancy.sinceAt ?? 'the first load'} and the settlement at ${discrepancy.settledAt}, which settled ${discrepancy.settledFen} (${discrepancy.recordIds.join(', ')})`
          : `controllers recorded ${discrepancy.recordsFen} fen of water after ${discrepancy.sinceAt ?? 'the first load'} that no settlement has taken (${discrepancy.recordIds.join(', ')})`,
      createdAt: now.toISOString(),
    });
  }
  return found;
}
