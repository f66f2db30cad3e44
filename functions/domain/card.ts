/** Cards: a physical contactless card (CPU or the older M1) with a chip UID, or the electronic card in the app. */
import type { ErrorCode } from '../../shared/errors';
import { CARD_KINDS, CARD_STATUSES, type CardKind, type CardStatus } from '../../shared/vocabulary';

export { CARD_KINDS, CARD_STATUSES, type CardKind, type CardStatus };

/** One change of a card's status, kept on the card so that a late offline record is judged by the card as it was then. */
export interface CardStatusChange {
  status: CardStatus;
  at: string;
  /** Who (a staff username, holder, system) and why; absent on changes logged before who was kept. */
  by?: string;
  reason?: string;
  /** A replacement: the fee charged for the new card. */
  feeFen?: number;
}

export interface Card {
  cardId: string;
  accountNo: string;
  kind: CardKind;
  /** The chip's unique physical id (physical cards only). */
  chipUid?: string;
  status: CardStatus;
  issuedAt: string;
  /** Campus day of issue: a replacement card is refused at the library, clinic and bus until the next day. */
  issuedOn: string;
  /** Who issued it (a staff username, or holder for a kiosk's self-service replacement); absent on older cards. */
  issuedBy?: string;
  /** A replacement card: the fee charged for it. */
  replacementFeeFen?: number;
  /** Every status change after issue, oldest first (absent: never changed). */
  statusLog?: CardStatusChange[];
}

export function isPhysical(kind: CardKind): boolean {
  return kind !== 'electronic';
}

/** The card's status at an instant (ISO time): the last change at or before it, else active from issue. */
export function cardStatusAt(card: Pick<Card, 'status' | 'statusLog' | 'issuedAt'>, at: string): CardStatus {
  let status: CardStatus = 'active';
  for (const change of card.statusLog ?? []) if (change.at <= at) status = change.status;
  // Cards written before the log existed: a void card is void whenever it is used.
  if (!card.statusLog?.length && (card.status === 'replaced' || card.status === 'cancelled')) return card.status;
  return status;
}

/** What a card in this status answers at a terminal (undefined: it may pay). Replaced and cancelled cards never come back. */
export function cardRefusal(status: CardStatus): Extract<ErrorCode, 'CARD_LOST' | 'CARD_VOID'> | undefined {
  if (status === 'lost') return 'CARD_LOST';
  if (status === 'replaced' || status === 'cancelled') return 'CARD_VOID';
  return undefined;
}

/** Card statuses that may not pay: every chip UID in one of them is on the offline blacklist. */
export const BLOCKED_CARD_STATUSES: readonly CardStatus[] = ['lost', 'replaced', 'cancelled'];
