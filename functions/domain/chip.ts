/**
 * Keeping a card's chip and the database in step (DOMAIN.md, "A tap keeps card and database in step").
 *
 * The database is authoritative. Spending that never touches the chip (QR codes, utilities) moves
 * the database alone, so the chip is not compared with the database balance but with what we last
 * know it holds (`chipBalanceFen`, as of `chipBalanceAt`). What the chip shows below that is card
 * spending the database does not have yet (offline records still on a terminal): the account's
 * `chipGapFen`. At an online tap the terminal writes the database balance less that gap, so the
 * chip then carries exactly what the database will hold once the missing records arrive; each such
 * record, when uploaded, closes its part of the gap. Only what nothing explains counts toward the
 * freeze rule: a gap above 50 yuan, or a chip holding more than it should by more than 50 yuan.
 */
import type { Account } from './account';

/** Freeze when the card and the database differ by more than this, unexplained (policy: 50 yuan). */
export const CHIP_FREEZE_DIFFERENCE_FEN = 5_000;

export type ChipFacts = Pick<Account, 'chipBalanceFen' | 'chipBalanceAt' | 'chipGapFen' | 'chipGapSince' | 'chipCardId' | 'balanceFen'>;

/** What we know of this card's chip (nothing, for a card we have not seen since it was issued). */
function known(account: ChipFacts, cardId: string): Pick<Account, 'chipBalanceFen' | 'chipBalanceAt' | 'chipGapFen' | 'chipGapSince'> {
  return account.chipCardId === cardId ? account : {};
}

/** Everything we know of the chip, as stored on the account with a movement. */
export type ChipState = Required<Pick<Account, 'chipBalanceFen' | 'chipBalanceAt' | 'chipGapFen' | 'chipCardId'>> & { chipGapSince: string | null };

/** The movement-plan parts that store a chip state with the money. */
export function chipPlanFields(chip: ChipState): { chipBalanceFen: number; accountFields: Omit<ChipState, 'chipBalanceFen'> } {
  const { chipBalanceFen, ...accountFields } = chip;
  return { chipBalanceFen, accountFields };
}

export interface ChipObservation {
  /** Chip fields to store with the movement. */
  chip: ChipState;
  /** The chip shows this much less (+) or more (−) than it should. */
  unexplainedFen: number;
  freeze: boolean;
}

/** When the chip first showed spending the database still lacks (null: it lacks none). */
function gapSince(chip: Pick<Account, 'chipGapSince'>, gapFen: number, at: string): string | null {
  return gapFen === 0 ? null : (chip.chipGapSince ?? at);
}

/**
 * The automatic levelling rule (policy: 5 days): card spending that no terminal has uploaded for that
 * long is taken from the chip, so the account is levelled to the card; the late records, when they
 * come, are recognised as already reflected.
 */
export function levellingDue(account: ChipFacts, cardId: string, now: Date, afterDays: number): boolean {
  const chip = known(account, cardId);
  return (chip.chipGapFen ?? 0) > 0 && typeof chip.chipGapSince === 'string' && now.getTime() - Date.parse(chip.chipGapSince) > afterDays * 86_400_000;
}

function judge(gapFen: number, unexplainedFen: number): boolean {
  return gapFen > CHIP_FREEZE_DIFFERENCE_FEN || -unexplainedFen > CHIP_FREEZE_DIFFERENCE_FEN;
}

/**
 * An online tap: the chip was read (`chipReadFen`), the account is debited `amountFen` (0 for an
 * idle tap) to `balanceAfterFen`. Returns what the terminal must write and the new chip facts.
 */
export function observeOnlineTap(
  account: ChipFacts,
  tap: { cardId: string; chipReadFen: number; balanceAfterFen: number; at: string },
): ChipObservation & { chipToWriteFen: number } {
  const chip = known(account, tap.cardId);
  // A card never written by us (its first tap after issue) has nothing to compare with: this tap puts it in step.
  const expected = chip.chipBalanceFen ?? tap.chipReadFen;
  const unexplainedFen = expected - tap.chipReadFen;
  const gapFen = (chip.chipGapFen ?? 0) + Math.max(0, unexplainedFen);
  const chipToWriteFen = Math.max(0, tap.balanceAfterFen - gapFen);
  return {
    chip: { chipBalanceFen: chipToWriteFen, chipBalanceAt: tap.at, chipGapFen: gapFen, chipCardId: tap.cardId, chipGapSince: gapSince(chip, gapFen, tap.at) },
    unexplainedFen,
    freeze: judge(gapFen, unexplainedFen),
    chipToWriteFen,
  };
}

/**
 * An offline card payment arrives: the chip went down by `amountFen` to `chipAfterFen` at `occurredAt`.
 * If we have seen the chip since (a later tap or record), the payment is already in what we know of
 * the chip and closes part of the gap; otherwise it is the newest thing we know of the chip.
 */
export function observeOfflineCardRecord(account: ChipFacts, record: { cardId: string; amountFen: number; chipAfterFen: number; occurredAt: string }): ChipObservation {
  const chip = known(account, record.cardId);
  const gapBefore = chip.chipGapFen ?? 0;
  if (chip.chipBalanceAt !== undefined && record.occurredAt < chip.chipBalanceAt) {
    const gapFen = Math.max(0, gapBefore - record.amountFen);
    return {
      chip: { chipBalanceFen: chip.chipBalanceFen ?? record.chipAfterFen, chipBalanceAt: chip.chipBalanceAt, chipGapFen: gapFen, chipCardId: record.cardId, chipGapSince: gapSince(chip, gapFen, record.occurredAt) },
      unexplainedFen: 0,
      freeze: judge(gapFen, 0),
    };
  }
  // Knowing nothing of this chip yet, the database is the best estimate of what it held.
  const expected = (chip.chipBalanceFen ?? account.balanceFen) - record.amountFen;
  const unexplainedFen = expected - record.chipAfterFen;
  const gapFen = gapBefore + Math.max(0, unexplainedFen);
  return {
    chip: { chipBalanceFen: record.chipAfterFen, chipBalanceAt: record.occurredAt, chipGapFen: gapFen, chipCardId: record.cardId, chipGapSince: gapSince(chip, gapFen, record.occurredAt) },
    unexplainedFen,
    freeze: judge(gapFen, unexplainedFen),
  };
}
