/**
 * Routes for the self-service kiosk (圈存机, terminals of kind kiosk only) and the terminal's own day
 * of sales. Each request is signed by the terminal (docs/terminal-auth.md); see docs/kiosk.md.
 */
import * as z from 'zod';
import { amountFen, balanceFen } from '../money';
import { accountNo } from './common';
import { defineRoute } from './contract';

const sixDigits = z.string().regex(/^\d{6}$/, { error: 'a password is 6 digits' });
const chipUid = z
  .string()
  .regex(/^[0-9A-F]{8,20}$/, { error: 'a chip UID is 8 to 20 upper-case hex digits' })
  .meta({ description: 'The card in the kiosk, as read from the chip' });

/**
 * Every refusal of a password check at the kiosk. An unknown, void or replaced card (or an unknown
 * account number, or one with no password set) answers PASSWORD_WRONG, counted and locked the same
 * way, so the kiosk does not tell a stranger whether a card exists.
 */
const PASSWORD_REFUSALS = ['TERMINAL_KIND_NOT_ALLOWED', 'PASSWORD_WRONG', 'PASSWORD_LOCKED'] as const;

export const kioskBalanceQuery = defineRoute({
  operationId: 'kioskBalanceQuery',
  method: 'POST',
  path: '/v1/pos/kiosk/balance-queries',
  auth: 'terminal',
  summary: 'Kiosk: the card in the slot and its query password → the account, its balances and limit',
  description: 'A wrong password counts toward the lockout exactly like the app. A POST, so the password is never in a URL.',
  tags: ['pos', 'kiosk'],
  body: z.strictObject({ chipUid, queryPassword: sixDigits }).meta({ id: 'KioskBalanceQueryRequest' }),
  response: z
    .object({
      accountNo,
      holderDisplayName: z.string().meta({ description: 'Masked holder name, e.g. 张*明' }),
      status: z.enum(['active', 'lost', 'frozen', 'cancelled', 'expired']),
      balanceFen,
      transitionalFen: balanceFen.meta({ description: 'Waiting to be written to the CPU card at the next tap' }),
      dailyLimitFen: balanceFen,
      bankCardMasked: z.string().optional().meta({ description: 'The bound bank card, e.g. ••••5678 (absent: none bound)' }),
    })
    .meta({ id: 'KioskBalance' }),
  errors: [...PASSWORD_REFUSALS],
});

export const kioskReportLoss = defineRoute({
  operationId: 'kioskReportLoss',
  method: 'POST',
  path: '/v1/pos/kiosk/loss',
  auth: 'terminal',
  summary: 'Kiosk: report a card lost with the account number and the query password (the card is gone)',
  tags: ['pos', 'kiosk'],
  body: z.strictObject({ accountNo, queryPassword: sixDigits }).meta({ id: 'KioskReportLossRequest' }),
  response: z.object({ status: z.literal('lost') }).meta({ id: 'KioskLossReported' }),
  errors: [...PASSWORD_REFUSALS, 'CARD_FROZEN', 'CARD_CANCELLED', 'BUSY_RETRY'],
});

export const kioskUnfreeze = defineRoute({
  operationId: 'kioskUnfreeze',
  method: 'POST',
  path: '/v1/pos/kiosk/unfreeze',
  auth: 'terminal',
  summary: 'Kiosk: unfreeze a card reported lost, with the card in the slot and the query password (always allowed here)',
  description: 'Unlike the app, which obeys the campus policy (unfreezeInApp), the kiosk has the card itself. A frozen account is for card staff (UNFREEZE_AT_CARD_CENTRE).',
  tags: ['pos', 'kiosk'],
  body: z.strictObject({ chipUid, queryPassword: sixDigits }).meta({ id: 'KioskUnfreezeRequest' }),
  response: z.object({ status: z.literal('active') }).meta({ id: 'KioskUnfrozen' }),
  errors: [...PASSWORD_REFUSALS, 'UNFREEZE_AT_CARD_CENTRE', 'BUSY_RETRY'],
});

export const kioskChangePassword = defineRoute({
  operationId: 'kioskChangePassword',
  method: 'POST',
  path: '/v1/pos/kiosk/passwords/{kind}',
  auth: 'terminal',
  summary: 'Kiosk: change the query or the consumption password (card in the slot, old and new password)',
  tags: ['pos', 'kiosk'],
  params: z.strictObject({ kind: z.enum(['query', 'consumption']) }),
  body: z.strictObject({ chipUid, oldPassword: sixDigits, newPassword: sixDigits }).meta({ id: 'KioskChangePasswordRequest' }),
  response: z.object({ changed: z.literal(true) }).meta({ id: 'KioskPasswordChanged' }),
  errors: [...PASSWORD_REFUSALS, 'PASSWORD_UNCHANGED'],
});

export const kioskSetDailyLimit = defineRoute({
  operationId: 'kioskSetDailyLimit',
  method: 'PUT',
  path: '/v1/pos/kiosk/daily-limit',
  auth: 'terminal',
  summary: 'Kiosk: set the daily limit (card in the slot, consumption password)',
  tags: ['pos', 'kiosk'],
  body: z.strictObject({ chipUid, dailyLimitFen: balanceFen, consumptionPassword: sixDigits }).meta({ id: 'KioskDailyLimitRequest' }),
  response: z.object({ dailyLimitFen: balanceFen }).meta({ id: 'KioskDailyLimit' }),
  errors: [...PASSWORD_REFUSALS, 'DAILY_LIMIT_OUT_OF_RANGE', 'BUSY_RETRY'],
});

export const POS_DAY_LIMIT = 200;

const daySale = z.object({
  receiptNo: z.string().meta({ description: 'Quote it to refund (POST /v1/pos/refunds)' }),
  posTxnId: z.string().optional().meta({ description: "The terminal's own id of the sale (the offline record id for an uploaded offline sale)" }),
  postedAt: z.iso.datetime(),
  amountFen,
  method: z.enum(['card', 'qr', 'wechat', 'alipay']),
  offline: z.boolean().optional().meta({ description: 'true: taken offline and uploaded since' }),
  holderDisplayName: z.string().optional().meta({ description: 'Masked holder name (absent for WeChat Pay / Alipay sales: the payer is not a holder)' }),
  refundedFen: balanceFen.meta({ description: 'Refunded of it so far today' }),
});

const methodTotal = z.object({ count: z.number().int().min(0), amountFen: balanceFen, refundedFen: balanceFen });

export const posDay = defineRoute({
  operationId: 'getPosDay',
  method: 'GET',
  path: '/v1/pos/day',
  auth: 'terminal',
  summary: "Today's sales taken at this terminal (campus day, Asia/Shanghai), newest first, with the day's totals",
  description:
    `The cashier picks a sale from it to refund. At most ${POS_DAY_LIMIT} sales are listed (truncated: true beyond that; the totals always count the whole day). ` +
    'Read from the eventually consistent day index of the merchant: a sale of the last second may show a moment later.',
  tags: ['pos'],
  response: z
    .object({
      terminalId: z.string(),
      campusDay: z.string(),
      sales: z.array(daySale),
      truncated: z.boolean(),
      totals: z.object({
        count: z.number().int().min(0),
        amountFen: balanceFen,
        refundedFen: balanceFen,
        byMethod: z.object({ card: methodTotal, qr: methodTotal, wechat: methodTotal, alipay: methodTotal }),
      }),
    })
    .meta({ id: 'PosDay' }),
  errors: [],
});
