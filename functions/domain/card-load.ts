/**
 * Writing transitional balance onto a CPU card, as a two-phase transfer: a POS that sees the card
 * idle RESERVES the pending amount (one open reservation per account), writes the chip, then
 * CONFIRMS with what the card reports; the reservation is POSTED (the money becomes balance) or
 * VOIDED (it stays transitional): one pending transfer (functions/domain/pending.ts). A CPU
 * e-purse bumps its online transaction counter on every load and only then, so the counter is the
 * evidence: the card pulled away mid-write (a torn write) is recognised at its next tap by whether
 * the counter moved.
 */
import { holder } from './chart';
import { pendingOf, type Pending } from './pending';

export const CARD_LOAD_POLICY = {
  /**
   * A reservation past its time is settled by the card's next tap; one still pending this long after
   * (the card never came back) leaves its money's way to the chip undecided: the ledger check reports it.
   * It is never expired without the card: only the card's counter can say whether the load reached it.
   */
  settleWithinMinutes: 24 * 60,
} as const;

/**
 * A pending transfer (pending.ts) of the transitional balance to the balance, pending while the POS
 * writes the chip. Its timeout (PENDING_TIMEOUT_SECONDS.card_load) is when another terminal may take over.
 * Resolutions: `confirmed` or `card_shows_load` (posted), `card_shows_no_load` (voided: the
 * same terminal saw the card unchanged) or expired (another terminal, after the timeout).
 */
export interface CardLoadReservation extends Pending<CardLoadResolution> {
  pendingKind: 'card_load';
  loadId: string;
  accountNo: string;
  chipUid: string;
  terminalId: string;
  amountFen: number;
  chipBalanceBeforeFen: number;
  /** The card's online transaction counter when reserved; a successful load makes it +1. */
  cardTxnCounterBefore: number;
}

export type CardLoadResolution = 'confirmed' | 'card_shows_load' | 'card_shows_no_load';

export function cardLoadPending(load: Omit<CardLoadReservation, keyof Pending | 'pendingKind'>, now: Date): CardLoadReservation {
  return { ...load, ...pendingOf('card_load', { debit: holder.transitional(load.accountNo), credit: holder.balance(load.accountNo), amountFen: load.amountFen }, now), pendingKind: 'card_load' };
}

export interface CardTap {
  terminalId: string;
  chipBalanceFen: number;
  cardTxnCounter: number;
}

/**
 * What the card, tapped again, says about a reservation still pending: the load reached the chip
 * (post), it did not (void at the same terminal, expire past the timeout), or we must wait
 * (another terminal may still be writing it).
 */
export function judgeOpenReservation(reservation: CardLoadReservation, tap: CardTap, now: Date): 'post' | 'void' | 'expire' | 'busy' {
  if (tap.cardTxnCounter > reservation.cardTxnCounterBefore) return 'post';
  if (now.toISOString() >= reservation.timeoutAt) return 'expire';
  return tap.terminalId === reservation.terminalId ? 'void' : 'busy';
}

/** Whether a confirmation matches what writing this reservation does to the card. */
export function confirmationMatches(reservation: CardLoadReservation, report: { cardTxnCounterAfter: number; chipBalanceAfterFen: number }): boolean {
  return (
    report.cardTxnCounterAfter === reservation.cardTxnCounterBefore + 1 &&
    report.chipBalanceAfterFen === reservation.chipBalanceBeforeFen + reservation.amountFen
  );
}
