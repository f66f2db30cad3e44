/** The POS side of the transitional balance: reserve at an idle tap, write the chip, confirm. */
import { ulid } from 'ulid';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { spendRefusal } from '../domain/account';
import { campusDay } from '../domain/campus-day';
import { cardLoadPending, confirmationMatches, judgeOpenReservation, type CardLoadReservation, type CardTap } from '../domain/card-load';
import type { Terminal } from '../domain/merchant';
import { getAccount } from '../store/accounts';
import { freezeForMismatch } from './charge';
import { cardRefusal } from '../domain/card';
import { observeOnlineTap } from '../domain/chip';
import { endCardLoad, getCardLoad, getOpenCardLoad, openCardLoad, settleCardLoadItems } from '../store/card-loads';
import { findCardByChipUid } from '../store/cards';
import { loadToCard } from './movements';
import { tellIfLost } from './lost-found';

type LoadDeps = Pick<Deps, 'db' | 'clock' | 'movements'>;

export interface ReserveResult {
  /** Absent when there is nothing to write. */
  load?: { loadId: string; amountFen: number; expectedChipBalanceAfterFen: number; expectedCardTxnCounterAfter: number; expiresAt: string };
  /** What an earlier, unconfirmed reservation turned out to be at this tap. */
  settledEarlier?: { loadId: string; outcome: 'posted' | 'voided' | 'expired' };
}

/** Posts an open reservation's money, settling it in the same transaction (idempotent on the load id). */
async function postLoad(deps: LoadDeps, reservation: CardLoadReservation, chipBalanceAfterFen: number, resolution: 'confirmed' | 'card_shows_load') {
  const now = deps.clock();
  return loadToCard(
    deps,
    { terminalId: reservation.terminalId },
    { accountNo: reservation.accountNo, amountFen: reservation.amountFen, loadId: reservation.loadId, chipBalanceAfterFen },
    () => settleCardLoadItems(deps.db, reservation, 'posted', resolution, now).map((item) => ({ item, onConflict: () => new AppError('LOAD_VOIDED', reservation.loadId) })),
  );
}

export async function reserveCardLoad(deps: LoadDeps, terminal: Terminal, tap: Omit<CardTap, 'terminalId'> & { chipUid: string }): Promise<ReserveResult> {
  const card = await findCardByChipUid(deps.db, tap.chipUid);
  if (!card) throw new AppError('CARD_NOT_FOUND', tap.chipUid);
  // Judged by the tapped card's own status: a lost or void card never receives money.
  const cardRefused = cardRefusal(card.status);
  if (cardRefused) {
    // A lost card at a kiosk (or a till that loads cards): its holder is told where (best effort, bounded; the refusal is unchanged).
    await tellIfLost(deps, cardRefused, terminal, { accountNo: card.accountNo, cardRef: card.cardId }, terminal.kind === 'kiosk' ? 'kiosk' : 'pos');
    throw new AppError(cardRefused, `card ${card.cardId} is ${card.status}`);
  }
  if (card.kind !== 'cpu') throw new AppError('NO_CPU_CARD', tap.chipUid);
  const now = deps.clock();
  let settledEarlier: ReserveResult['settledEarlier'];

  const open = await getOpenCardLoad(deps.db, card.accountNo);
  if (open) {
    const verdict = judgeOpenReservation(open, { ...tap, terminalId: terminal.terminalId }, now);
    if (verdict === 'busy') throw new AppError('LOAD_IN_PROGRESS', open.loadId);
    if (verdict === 'post') {
      // The card took the earlier load though nobody confirmed it (pulled away at the beep): post it now.
      await postLoad(deps, open, open.chipBalanceBeforeFen + open.amountFen, 'card_shows_load');
      settledEarlier = { loadId: open.loadId, outcome: 'posted' };
    } else {
      const to = verdict === 'void' ? 'voided' : 'expired';
      if (!(await endCardLoad(deps.db, open, to, now))) throw new AppError('BUSY_RETRY', `load ${open.loadId} settled meanwhile`);
      settledEarlier = { loadId: open.loadId, outcome: to };
    }
  }

  const account = await getAccount(deps.db, card.accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', card.accountNo);
  if (account.activePhysicalCardId !== card.cardId) throw new AppError('CARD_VOID', `card ${card.cardId} is not ${account.accountNo}'s card`);
  const refusal = spendRefusal(account, campusDay(now));
  if (refusal) throw new AppError(refusal, account.accountNo);
  // The freeze rule applies at every tap, the idle one too.
  if (observeOnlineTap(account, { cardId: card.cardId, chipReadFen: tap.chipBalanceFen, balanceAfterFen: account.balanceFen, at: now.toISOString() }).freeze) {
    await freezeForMismatch(deps, account.accountNo);
    throw new AppError('CARD_FROZEN', `card/database differ on ${account.accountNo}`);
  }
  if (account.transitionalFen === 0) return settledEarlier ? { settledEarlier } : {};
  const reservation = cardLoadPending(
    {
      loadId: `L${ulid(now.getTime())}`,
      accountNo: account.accountNo,
      chipUid: tap.chipUid,
      terminalId: terminal.terminalId,
      amountFen: account.transitionalFen,
      // After posting an earlier load at this tap the chip already shows it.
      chipBalanceBeforeFen: tap.chipBalanceFen,
      cardTxnCounterBefore: tap.cardTxnCounter,
    },
    now,
  );
  if (!(await openCardLoad(deps.db, reservation))) throw new AppError('LOAD_IN_PROGRESS', account.accountNo);
  return {
    load: {
      loadId: reservation.loadId,
      amountFen: reservation.amountFen,
      expectedChipBalanceAfterFen: reservation.chipBalanceBeforeFen + reservation.amountFen,
      expectedCardTxnCounterAfter: reservation.cardTxnCounterBefore + 1,
      expiresAt: reservation.timeoutAt,
    },
    ...(settledEarlier ? { settledEarlier } : {}),
  };
}

export async function confirmCardLoad(
  deps: LoadDeps,
  terminal: Terminal,
  report: { loadId: string; cardTxnCounterAfter: number; chipBalanceAfterFen: number },
): Promise<{ loadId: string; amountFen: number; balanceFen: number; transitionalFen: number; receiptNo: string; replayed: boolean }> {
  const reservation = await getCardLoad(deps.db, report.loadId);
  if (!reservation || reservation.terminalId !== terminal.terminalId) throw new AppError('LOAD_NOT_FOUND', report.loadId);
  if (reservation.state === 'voided' || reservation.state === 'expired') throw new AppError('LOAD_VOIDED', report.loadId);
  // A report that does not show exactly this load is not believed; the card's next tap settles it.
  if (!confirmationMatches(reservation, report)) throw new AppError('LOAD_MISMATCH', report.loadId);
  const { entry, replayed } = await postLoad(deps, reservation, report.chipBalanceAfterFen, 'confirmed');
  return {
    loadId: reservation.loadId,
    amountFen: entry.amountFen,
    balanceFen: entry.after.balanceFen,
    transitionalFen: entry.after.transitionalFen,
    receiptNo: entry.receiptNo,
    replayed,
  };
}

