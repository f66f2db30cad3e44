/**
 * Lost and found (issue 18, item 6; the 网上寻卡 / 丢卡发布 of campus sites), pure: a card reported
 * lost that is tapped anywhere tells its holder where and when (it was refused), and a finder who
 * reports a found card by its printed number tells the holder where to collect it. docs/lost-and-found.md.
 */
import type { Account } from './account';
import type { Card } from './card';
import { beijingMinute, eventIdOf, type OutboxEvent } from './outbox';

/**
 * The numbers and texts of lost and found, in one place. Not card-centre settings in CampusPolicy:
 * the counter's text is what every message already sent names, and the buckets are the ids of
 * events already written.
 */
export const LOST_FOUND_POLICY = {
  /** A lost card's taps at one terminal within this many minutes make one event (a thief retrying does not flood the holder). */
  tapBucketMinutes: 5,
  /** The refusal never waits longer than this for its event's one Put (it goes on in the background if slower). */
  tapRecordBudgetMs: 300,
  /** Where a card reported in the app is collected (the finder hands it in there). */
  cardCentreCounter: '卡务中心服务台',
  /** Found-card reports one kiosk may make before a pause (store/attempt-counter.ts). */
  kioskReports: { maxFailures: 30, lockMinutes: 60 },
  /** Found-card reports one signed-in holder may make before a pause. */
  holderReports: { maxFailures: 5, lockMinutes: 60 },
  /** What the holder's card page shows: the latest taps and finds. */
  recentLimit: 20,
} as const;

/** Where a lost card was tapped: a POS charge, a gate/library/clinic identity scan, a kiosk. */
export const LOST_TAP_VIA = ['pos', 'gate', 'kiosk'] as const;
export type LostTapVia = (typeof LOST_TAP_VIA)[number];

/** The time bucket of a tap: taps in the same bucket at the same terminal are one event. */
export function tapBucket(at: Date, minutes: number = LOST_FOUND_POLICY.tapBucketMinutes): number {
  return Math.floor(at.getTime() / (minutes * 60_000));
}

/**
 * The tap's outbox source id: the card (or `qr` for a phone's identity code), the terminal and the
 * bucket, so a retry in the bucket writes the same id and its conditional Put writes nothing.
 */
export function lostTapSourceId(accountNo: string, cardRef: string, terminalId: string, bucket: number): string {
  return `L#${accountNo}#${cardRef}#${terminalId}#${bucket}`;
}

export interface LostTap {
  accountNo: string;
  /** The tapped card's id, or `qr` for an identity code shown on a phone. */
  cardRef: string;
  terminal: { terminalId: string; merchantId: string; place: string };
  via: LostTapVia;
}

/** The event of a refused tap of a lost card: where (terminal, its place and merchant) and when. */
export function lostTapEvent(tap: LostTap, now: Date): { sourceId: string; event: OutboxEvent } {
  const sourceId = lostTapSourceId(tap.accountNo, tap.cardRef, tap.terminal.terminalId, tapBucket(now));
  return {
    sourceId,
    event: {
      eventId: eventIdOf(sourceId, 'lost_card_tapped'),
      kind: 'lost_card_tapped',
      accountNo: tap.accountNo,
      at: now.toISOString(),
      terminalId: tap.terminal.terminalId,
      merchantId: tap.terminal.merchantId,
      placeName: tap.terminal.place,
      tapVia: tap.via,
    },
  };
}

/** What the holder reads (the app's card page; the subscribe message fills its fields with the same values). */
export function lostTapMessage(at: string, place: string): string {
  return `您挂失的卡于 ${beijingMinute(at)} 在 ${place} 被刷卡（已拒绝）`;
}

// ---------------------------------------------------------------------------------------------
// Found cards

export type FoundVia = 'kiosk' | 'app';
export const FOUND_CARD_STATES = ['open', 'collected'] as const;
export type FoundCardState = (typeof FOUND_CARD_STATES)[number];

/** One report of a found card. The finder (terminal or holder) is kept for the card centre, never shown to the owner. */
export interface FoundCard {
  foundId: string;
  accountNo: string;
  cardId: string;
  via: FoundVia;
  /** The kiosk it was reported at (via kiosk). */
  terminalId?: string;
  /** The holder who reported it (via app). */
  reporterAccountNo?: string;
  /** Where the owner collects it: the kiosk's place, or the card centre's counter. */
  collectAt: string;
  reportedAt: string;
  /** The account's status when found (lost: reported; active: not reported yet). */
  accountStatusThen: Account['status'];
  status: FoundCardState;
  collectedAt?: string;
  collectedBy?: string;
  collectReason?: string;
}

/** The one answer to every report, whatever exists: no answer tells whether a number is a card. */
export const FOUND_CARD_ANSWER = { received: true as const, message: '谢谢，已通知失主' };

/**
 * The found-card rule: a find is recorded for an account that still has a card to hand back (not
 * closed), for its physical card that is in use or reported lost (a replaced or cancelled card is
 * void: nothing to collect); never for the reporter's own card (the holder has it in hand). Whether
 * the loss was reported does not matter: a holder may not have noticed yet.
 */
export function cardToRecordAsFound(account: Pick<Account, 'accountNo' | 'status' | 'activePhysicalCardId'> | undefined, card: Pick<Card, 'cardId' | 'kind' | 'status'> | undefined, reporterAccountNo?: string): boolean {
  if (!account || !card) return false;
  if (account.status === 'cancelled') return false;
  if (reporterAccountNo !== undefined && reporterAccountNo === account.accountNo) return false;
  if (card.kind === 'electronic') return false;
  if (card.cardId !== account.activePhysicalCardId) return false;
  return card.status === 'active' || card.status === 'lost';
}

/** Where the owner collects the card: a kiosk's finder leaves it at the kiosk's place, an app's finder at the card centre. */
export function collectionPlace(via: FoundVia, kioskPlace: string | undefined): string {
  return via === 'kiosk' && kioskPlace ? kioskPlace : LOST_FOUND_POLICY.cardCentreCounter;
}

/** Who found it, as the owner is told: a place's kiosk or "another student", never a name or an account. */
export function finderAsOwnerSees(via: FoundVia, kioskPlace: string | undefined): string {
  return via === 'kiosk' ? `${kioskPlace ?? '校内'}的自助机` : '另一位同学';
}

export function foundCardEvent(found: FoundCard, finder: string): OutboxEvent {
  return {
    eventId: eventIdOf(foundSourceId(found.foundId), 'card_found'),
    kind: 'card_found',
    accountNo: found.accountNo,
    at: found.reportedAt,
    placeName: found.collectAt,
    foundBy: finder,
  };
}

export function foundSourceId(foundId: string): string {
  return `F#${foundId}`;
}
