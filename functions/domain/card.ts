/** Cards: a physical contactless card (CPU or the older M1) with a chip UID, or the electronic card in the app. */
import { CARD_KINDS, CARD_STATUSES, type CardKind, type CardStatus } from '../../shared/vocabulary';

export { CARD_KINDS, CARD_STATUSES, type CardKind, type CardStatus };

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
}

export function isPhysical(kind: CardKind): boolean {
  return kind !== 'electronic';
}
