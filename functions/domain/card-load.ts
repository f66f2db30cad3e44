/**
 * Writing transitional balance onto a CPU card, as a two-phase transfer: a POS that sees the card
 * idle RESERVES the pending amount (one open reservation per account), writes the chip, then
 * CONFIRMS with what the card reports; the reservation is POSTED (the money becomes balance) or
 * VOIDED (it goes back to pending). A CPU e-purse bumps its online transaction counter on every
 * load and only then, so the counter is the evidence: the card pulled away mid-write (a torn
 * write) is recognised at its next tap by whether the counter moved.
 */
export const CARD_LOAD_POLICY = {
  /** Another terminal may take over a reservation that has not been confirmed within this. */
  reservationSeconds: 60,
  /**
   * A reservation past its time is settled by the card's next tap; one still open this long after
   * (the card never came back) leaves its money's way to the chip undecided: the ledger check reports it.
   */
  settleWithinMinutes: 24 * 60,
} as const;

export interface CardLoadReservation {
  loadId: string;
  accountNo: string;
  chipUid: string;
  terminalId: string;
  amountFen: number;
  chipBalanceBeforeFen: number;
  /** The card's online transaction counter when reserved; a successful load makes it +1. */
  cardTxnCounterBefore: number;
  status: 'open' | 'posted' | 'voided';
  reservedAt: string;
  /** (Not `expiresAt`: that name is the table's TTL attribute.) */
  reservedUntil: string;
  settledAt?: string;
  /** Why it was settled as it was (for the card centre). */
  settlement?: 'confirmed' | 'card_shows_load' | 'card_shows_no_load';
}

export interface CardTap {
  terminalId: string;
  chipBalanceFen: number;
  cardTxnCounter: number;
}

/**
 * What the card, tapped again, says about a reservation still open: the load reached the chip
 * (post), it did not (void, unless another terminal may still be writing it), or we must wait.
 */
export function judgeOpenReservation(reservation: CardLoadReservation, tap: CardTap, now: Date): 'post' | 'void' | 'busy' {
  if (tap.cardTxnCounter > reservation.cardTxnCounterBefore) return 'post';
  const expired = now.toISOString() >= reservation.reservedUntil;
  return expired || tap.terminalId === reservation.terminalId ? 'void' : 'busy';
}

/** Whether a confirmation matches what writing this reservation does to the card. */
export function confirmationMatches(reservation: CardLoadReservation, report: { cardTxnCounterAfter: number; chipBalanceAfterFen: number }): boolean {
  return (
    report.cardTxnCounterAfter === reservation.cardTxnCounterBefore + 1 &&
    report.chipBalanceAfterFen === reservation.chipBalanceBeforeFen + reservation.amountFen
  );
}
