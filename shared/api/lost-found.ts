/**
 * Lost and found (issue 18, item 6; docs/lost-and-found.md): a finder reports a found card by its
 * printed number at a kiosk or in the app (one answer whatever exists), the holder sees where their
 * lost card was tapped and where a found card waits, the card centre lists found cards and marks
 * them collected.
 */
import * as z from 'zod';
import { actionReason } from './admin';
import { accountNo, ulidString } from './common';
import { defineRoute, STAFF } from './contract';

const SESSION = ['SESSION_EXPIRED', 'FORBIDDEN'] as const;

/** The number printed on the card: the account number (or the student/staff id on it). */
export const printedCardNumber = z
  .string()
  .trim()
  .regex(/^\d{5,12}$/, { error: 'the number printed on the card is 5 to 12 digits' })
  .meta({ description: 'The number printed on the card: its account number, or the student/staff id printed on it' });

export const foundCardReportBody = z.strictObject({ cardNumber: printedCardNumber }).meta({ id: 'FoundCardReport' });

/** The same answer whatever the number: no report tells whether a card exists. */
export const foundCardReceived = z
  .object({
    received: z.literal(true),
    message: z.string(),
    handInAt: z.string().meta({ description: 'Where the finder leaves the card: the kiosk’s place, or the card centre’s counter (the same for every number)' }),
  })
  .meta({ id: 'FoundCardReceived' });

export const kioskReportFoundCard = defineRoute({
  operationId: 'kioskReportFoundCard',
  method: 'POST',
  path: '/v1/pos/kiosk/found-cards',
  auth: 'terminal',
  summary: 'Kiosk: a finder reports a found card by its printed number; the owner is told to collect it at this kiosk’s place',
  description: 'The answer is the same whatever the number (unknown, closed, void or the owner’s). Rate-limited per kiosk (FOUND_CARD_REPORTS_LIMITED).',
  tags: ['pos', 'kiosk'],
  body: foundCardReportBody,
  response: foundCardReceived,
  errors: ['TERMINAL_KIND_NOT_ALLOWED', 'FOUND_CARD_REPORTS_LIMITED'],
});

export const holderReportFoundCard = defineRoute({
  operationId: 'holderReportFoundCard',
  method: 'POST',
  path: '/v1/holder/found-cards',
  auth: 'holder',
  summary: 'I found a campus card: report it by its printed number (hand it in at the card centre’s counter)',
  description: 'The answer is the same whatever the number. Rate-limited per reporting holder (FOUND_CARD_REPORTS_LIMITED). The owner is told “another student” found it, never who.',
  tags: ['holder'],
  body: foundCardReportBody,
  response: foundCardReceived,
  errors: ['FOUND_CARD_REPORTS_LIMITED'],
});

export const lostCardTapView = z
  .object({
    at: z.iso.datetime(),
    place: z.string().meta({ description: 'The terminal’s place' }),
    via: z.enum(['pos', 'gate', 'kiosk']),
    message: z.string().meta({ description: '您挂失的卡于 {time} 在 {place} 被刷卡（已拒绝）' }),
  })
  .meta({ id: 'LostCardTap' });

export const ownFoundCardView = z
  .object({
    reportedAt: z.iso.datetime(),
    collectAt: z.string().meta({ description: 'Where to collect the card' }),
    finder: z.string().meta({ description: '“a kiosk at X” or “another student”: never who' }),
    status: z.enum(['open', 'collected']),
    collectedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'OwnFoundCard' });

export const getLostCardTaps = defineRoute({
  operationId: 'getLostCardTaps',
  method: 'GET',
  path: '/v1/holder/lost-card-taps',
  auth: 'holder',
  summary: 'Where and when my lost card was tapped (refused), and where a found card of mine waits',
  tags: ['holder'],
  response: z.object({ taps: z.array(lostCardTapView), found: z.array(ownFoundCardView) }).meta({ id: 'LostCardTaps' }),
  errors: [],
});

export const adminFoundCardView = z
  .object({
    foundId: ulidString,
    accountNo,
    holderDisplayName: z.string().optional().meta({ description: 'Masked, e.g. 张*明' }),
    cardId: z.string(),
    via: z.enum(['kiosk', 'app']),
    terminalId: z.string().optional(),
    reporterAccountNo: accountNo.optional(),
    collectAt: z.string(),
    reportedAt: z.iso.datetime(),
    accountStatusThen: z.enum(['active', 'lost', 'frozen', 'cancelled', 'expired']),
    status: z.enum(['open', 'collected']),
    collectedAt: z.iso.datetime().optional(),
    collectedBy: z.string().optional(),
    collectReason: z.string().optional(),
  })
  .meta({ id: 'AdminFoundCard' });

export const foundCardCursor = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9A-HJKMNP-TV-Z]{26}$/, { error: 'not a cursor' });

export const listFoundCardsRoute = defineRoute({
  operationId: 'listFoundCards',
  method: 'GET',
  path: '/v1/admin/found-cards',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'Found cards reported at kiosks and in the app: open (waiting to be collected) or collected, newest first',
  tags: ['admin'],
  query: z.strictObject({
    state: z.enum(['open', 'collected']).default('open'),
    cursor: foundCardCursor.optional().meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  }),
  response: z.object({ foundCards: z.array(adminFoundCardView), nextCursor: foundCardCursor.optional() }).meta({ id: 'FoundCardPage' }),
  errors: [...SESSION],
});

export const collectFoundCardRoute = defineRoute({
  operationId: 'collectFoundCard',
  method: 'POST',
  path: '/v1/admin/found-cards/{foundId}/collection',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Mark a found card collected by its owner (with a reason, in the action log)',
  description: 'Once: a found card already collected is FOUND_CARD_ALREADY_COLLECTED (the same collection again answers replayed: true).',
  tags: ['admin'],
  params: z.strictObject({ foundId: ulidString }),
  body: z.strictObject({ reason: actionReason }).meta({ id: 'CollectFoundCardRequest' }),
  response: z.object({ foundCard: adminFoundCardView, replayed: z.boolean() }).meta({ id: 'FoundCardCollected' }),
  errors: [...SESSION, 'FOUND_CARD_NOT_FOUND', 'FOUND_CARD_ALREADY_COLLECTED'],
});
