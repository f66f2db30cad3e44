/**
 * Guardian deposits (issue 18): a parent tops up a student's or staff member's account from their
 * own WeChat Pay or Alipay, with no binding and no session. The payer names the holder (student/staff
 * id and name) and sees only the masked name back; every unknown, mismatched or closed account gets
 * the same refusal.
 */
import * as z from 'zod';
import { amountFen } from '../money';
import { defineRoute } from './contract';

const personId = z.string().trim().min(1).max(32).regex(/^[A-Za-z0-9]+$/, { error: 'a student/staff id is letters and digits' });
const holderName = z.string().trim().min(1).max(32).meta({ description: 'The holder’s full name as the card centre has it' });

export const guardianHolderBody = z.strictObject({ personId, name: holderName }).meta({ id: 'GuardianHolderRequest' });

export const confirmGuardianHolder = defineRoute({
  operationId: 'confirmGuardianHolder',
  method: 'POST',
  path: '/v1/guardian/holders',
  auth: 'none',
  summary: 'Find and confirm the holder a guardian deposit is for: the masked name, only when the id and name match an account that can take money',
  description:
    'An unknown id, another name, or a closed or expired account all answer GUARDIAN_HOLDER_NOT_FOUND in the same way. Every try is counted against the caller (its address); too many answer GUARDIAN_LOOKUP_LOCKED for a while.',
  tags: ['guardian'],
  body: guardianHolderBody,
  response: z.object({ maskedName: z.string().meta({ description: 'e.g. 张*明' }) }).meta({ id: 'GuardianHolder' }),
  errors: ['GUARDIAN_HOLDER_NOT_FOUND', 'GUARDIAN_LOOKUP_LOCKED'],
});

export const guardianLabel = z
  .string()
  .trim()
  .min(1)
  .max(8)
  .regex(/^[^\p{C}<>]+$/u, { error: 'a short name, on one line' })
  .meta({ description: 'Who is paying, as the holder will see it (e.g. 妈妈, Dad): 1 to 8 characters' });

export const guardianDepositBody = z
  .strictObject({
    personId,
    name: holderName,
    amountFen: amountFen.meta({ description: 'As a top-up: 1 to 999 yuan (100 to 99,900 fen)' }),
    channel: z.enum(['wechat', 'alipay']),
    payerLabel: guardianLabel,
    loginCode: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z0-9_.-]+$/)
      .optional()
      .meta({ description: 'wx.login code (WeChat) or my.getAuthCode authCode (Alipay): who the payer is. Without one (a browser), the payer is known by the request and then by the payment' }),
  })
  .meta({ id: 'GuardianDepositRequest' });

export const guardianDepositView = z
  .object({
    orderId: z.string(),
    channel: z.enum(['wechat', 'alipay']),
    amountFen,
    maskedName: z.string(),
    payerLabel: z.string(),
    status: z.enum(['pending', 'paid', 'closed', 'refund_pending', 'refunded']).meta({
      description: 'paid: credited to the holder; refund_pending / refunded: given back to the payer (the account could not take it, or the card centre refunded it)',
    }),
    createdAt: z.iso.datetime(),
    payBy: z.iso.datetime(),
    paidAt: z.iso.datetime({ offset: true }).optional(),
    refund: z
      .object({ amountFen, requestedAt: z.iso.datetime({ offset: true }), refundedAt: z.iso.datetime({ offset: true }).optional() })
      .optional()
      .meta({ description: 'Set when the deposit goes back to the payer' }),
  })
  .meta({ id: 'GuardianDeposit' });

export const createGuardianDeposit = defineRoute({
  operationId: 'createGuardianDeposit',
  method: 'POST',
  path: '/v1/guardian/deposits',
  auth: 'none',
  summary: 'A guardian deposit: checks the holder again, counts it in the payer’s daily cap, and makes the order and the platform payment the payer opens',
  description:
    'The payer is recorded on the order before the platform is asked. The cap (campus policy guardianDailyCapFen, per payer per campus day, all accounts together) is counted with the order in one write, so concurrent orders cannot pass it. Poll GET /v1/guardian/deposits/{orderId} until paid.',
  tags: ['guardian'],
  body: guardianDepositBody,
  response: z
    .object({
      deposit: guardianDepositView,
      wechat: z
        .object({ appId: z.string(), timeStamp: z.string(), nonceStr: z.string(), package: z.string(), signType: z.literal('RSA'), paySign: z.string() })
        .optional()
        .meta({ description: 'Pass to wx.requestPayment' }),
      alipay: z.object({ tradeNo: z.string() }).optional().meta({ description: 'Pass to my.tradePay({ tradeNO })' }),
    })
    .meta({ id: 'GuardianDepositCreated' }),
  successStatus: 201,
  errors: [
    'GUARDIAN_HOLDER_NOT_FOUND',
    'GUARDIAN_LOOKUP_LOCKED',
    'GUARDIAN_DAILY_CAP_REACHED',
    'TOPUP_AMOUNT_OUT_OF_RANGE',
    'UNAUTHENTICATED',
    'LOGIN_PLATFORM_UNAVAILABLE',
    'PAYMENT_CHANNEL_UNAVAILABLE',
  ],
});

export const getGuardianDeposit = defineRoute({
  operationId: 'getGuardianDeposit',
  method: 'GET',
  path: '/v1/guardian/deposits/{orderId}',
  auth: 'none',
  summary: 'The payer’s receipt of a guardian deposit (masked name and status); while pending, the platform is asked about it',
  tags: ['guardian'],
  params: z.strictObject({ orderId: z.string().regex(/^T[0-9A-HJKMNP-TV-Z]{26}$/, { error: 'not an order id' }) }),
  response: guardianDepositView,
  errors: ['GUARDIAN_DEPOSIT_NOT_FOUND'],
});
