/**
 * An online card payment at a POS terminal. The tapped card is named (chip UID; for a CPU card its
 * balance and counter as read) and judged by its own status: a lost, replaced or cancelled card is
 * refused, whatever its account may do. The answer tells the terminal what to write to the chip, so
 * spending that never touched the chip (QR, utilities) reaches it at this tap (domain/chip.ts).
 */
import type { z } from 'zod';
import type { posChargeBody, posChargeResponse } from '../../shared/api/pos';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { maskHolderName } from '../domain/account';
import { cardRefusal, type Card } from '../domain/card';
import { levellingDue } from '../domain/chip';
import { OFFLINE_POLICY } from '../domain/offline';
import { levelIfDue } from './levelling';
import { fingerprint } from '../domain/fingerprint';
import { ChipMismatch, planAtChipTap, planPurchase } from '../domain/movement-plans';
import type { Terminal } from '../domain/merchant';
import { changeAccountStatus, getAccount } from '../store/accounts';
import { findCardByChipUid } from '../store/cards';
import { answerAsOriginal, onceOnly, type MovementResult, type OnceOnly } from '../store/movements';
import { withVersionRetry } from '../store/version-retry';
import { verifyHolderPassword } from './passwords';
import { posPaymentKey } from './pos-transactions';
import { getMerchantCached } from '../store/terminals';
import { tellIfLost } from './lost-found';

export async function chargeAtTerminal(
  deps: Pick<Deps, 'db' | 'clock' | 'movements'>,
  terminal: Terminal,
  request: z.infer<typeof posChargeBody>,
  /** The request's nonce: spent with the money, or first of all when a password is tried (so a replay cannot count wrong guesses). */
  requestNonce?: OnceOnly & { spend(): Promise<void> },
): Promise<z.infer<typeof posChargeResponse>> {
  const idempotencyKey = posPaymentKey(terminal.terminalId, request.posTxnId);
  const paymentFingerprint = fingerprint({ type: 'purchase', chipUid: request.chipUid, amountFen: request.amountFen });
  const passwordTried = request.consumptionPassword !== undefined;
  let card: Card;
  const tapped: { card?: Card } = {};
  try {
    card = await cardThatMayPay(deps, request, tapped);
    if (passwordTried) {
      await requestNonce?.spend();
      await verifyHolderPassword(deps, card.accountNo, 'consumption', request.consumptionPassword!);
    }
  } catch (refusal) {
    // A retry of a posted charge answers as the original did, even if the card was reported lost since.
    return chargeResult(
      await answerAsOriginal(deps.db, idempotencyKey, paymentFingerprint, refusal).catch(async (answered: unknown) => {
        // Refused after all (not a retry of a posted charge): a lost card's holder is told where (best effort, bounded).
        if (tapped.card) await tellIfLost(deps, answered, terminal, { accountNo: tapped.card.accountNo, cardRef: tapped.card.cardId }, 'pos');
        throw answered;
      }),
    );
  }
  const merchant = await getMerchantCached(deps.db, terminal.merchantId, deps.clock());
  const post = () => deps.movements.post({
    accountNo: card.accountNo,
    idempotencyKey,
    fingerprint: paymentFingerprint,
    plan: (account, today) => {
      // The card may have been replaced since it was looked up: only the account's active card pays.
      if (account.activePhysicalCardId !== card.cardId) throw new AppError('CARD_VOID', `card ${card.cardId} is not ${account.accountNo}'s card`);
      const now = deps.clock();
      // Card spending no terminal has uploaded for too long: level to the card first (then plan again).
      if (request.chipBalanceFen !== undefined && levellingDue(account, card.cardId, now, OFFLINE_POLICY.levelAfterDays)) throw new LevelFirst();
      const planned = planPurchase(
        account,
        {
          amountFen: request.amountFen,
          channel: 'pos',
          merchantId: terminal.merchantId,
          terminalId: terminal.terminalId,
          externalRef: request.posTxnId,
          consumptionPasswordVerified: passwordTried,
          ...(merchant ? { placeCategory: merchant.category } : {}),
        },
        today,
      );
      // A CPU card's chip is kept in step by the one chip rule of every online tap (the water taps' too); a mismatch freezes.
      return request.chipBalanceFen === undefined ? planned : planAtChipTap(account, planned, { cardId: card.cardId, chipReadFen: request.chipBalanceFen, at: now.toISOString() });
    },
    alsoWrite: () => onceOnly(passwordTried ? undefined : requestNonce),
  });
  try {
    return chargeResult(
      await post().catch(async (error: unknown) => {
        if (!(error instanceof LevelFirst)) throw error;
        await levelIfDue(deps, card.accountNo, card.cardId, request.chipBalanceFen!);
        return post();
      }),
    );
  } catch (error) {
    if (error instanceof ChipMismatch) await freezeForMismatch(deps, card.accountNo);
    // The account reported lost though its card was not (the plan's own refusal): told the same way.
    await tellIfLost(deps, error, terminal, { accountNo: card.accountNo, cardRef: card.cardId }, 'pos');
    throw error;
  }
}

/**
 * Thrown by the plan: post the levelling, then plan the charge again. A refusal to the movement store,
 * so it is re-checked on a fresh read of a remembered account and a retry of a posted charge still
 * answers as the original did; should it ever reach the terminal, it says "busy, retry".
 */
class LevelFirst extends AppError<'BUSY_RETRY'> {
  constructor() {
    super('BUSY_RETRY', 'level the account to its card first');
  }
}

/** The tapped card, if it may pay: known, neither lost nor void, and read in full (a CPU card's balance and counter). */
async function cardThatMayPay(deps: Pick<Deps, 'db'>, request: z.infer<typeof posChargeBody>, tapped: { card?: Card }): Promise<Card> {
  const card = await findCardByChipUid(deps.db, request.chipUid);
  if (!card) throw new AppError('CARD_NOT_FOUND', request.chipUid);
  tapped.card = card;
  const refusal = cardRefusal(card.status);
  if (refusal) throw new AppError(refusal, `card ${card.cardId} is ${card.status}`);
  if (card.kind === 'cpu' && (request.chipBalanceFen === undefined || request.cardTxnCounter === undefined)) {
    throw new AppError('CHIP_READ_REQUIRED', card.cardId);
  }
  return card;
}

function chargeResult({ entry, holderName, replayed }: MovementResult): z.infer<typeof posChargeResponse> {
  return {
    receiptNo: entry.receiptNo,
    accountNo: entry.accountNo,
    amountFen: entry.amountFen,
    balanceFen: entry.after.balanceFen,
    holderDisplayName: maskHolderName(holderName),
    postedAt: entry.createdAt,
    replayed,
    ...(entry.chipBalanceAfterFen !== undefined ? { chipBalanceToWriteFen: entry.chipBalanceAfterFen } : {}),
  };
}

/** Freezes the account for card staff to reconcile (the chip and the database drifted apart unexplained). */
export async function freezeForMismatch(deps: Pick<Deps, 'db' | 'clock'>, accountNo: string): Promise<void> {
  await withVersionRetry(
    () => getAccount(deps.db, accountNo),
    async (account) =>
      !account || account.status !== 'active' || (await changeAccountStatus(deps.db, account, 'frozen', undefined, deps.clock().toISOString(), [], { by: 'system', reason: 'card_database_mismatch' })),
    { what: `freezing ${accountNo}` },
  );
}
