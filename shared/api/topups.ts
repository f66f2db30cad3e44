/** Online top-ups: the holder's order, and the payment platforms' notifications. */
import * as z from 'zod';
import { amountFen } from '../money';
import { defineRoute } from './contract';

export const topupOrderView = z
  .object({
    orderId: z.string(),
    channel: z.enum(['wechat', 'alipay', 'bank']),
    amountFen,
    purse: z.enum(['balance', 'transitional']).meta({ description: 'transitional: waits to be written to the CPU card at the next idle tap' }),
    status: z.enum(['pending', 'paid', 'closed', 'refund_pending', 'refunded']).meta({
      description: 'refund_pending / refunded: the payment could not be credited (account closed, or another amount than ordered) and is given back to the payer',
    }),
    createdAt: z.iso.datetime(),
    payBy: z.iso.datetime(),
    paidAt: z.iso.datetime().optional(),
    receiptNo: z.string().optional(),
    refund: z
      .object({
        amountFen,
        reason: z.enum(['CARD_CANCELLED', 'PAYMENT_AMOUNT_MISMATCH', 'ORDER_CLOSED']),
        requestedAt: z.iso.datetime({ offset: true }),
        refundedAt: z.iso.datetime({ offset: true }).optional(),
      })
      .optional()
      .meta({ description: 'Set when the payment is given back instead of credited' }),
  })
  .meta({ id: 'TopupOrder' });

export const createTopupBody = z
  .strictObject({
    amountFen: amountFen.meta({ description: '1 to 999 yuan (100 to 99,900 fen) per payment' }),
    channel: z.enum(['wechat', 'alipay']),
    payerId: z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/).meta({ description: 'WeChat openid or Alipay buyer_id of the payer in our mini-program' }),
  })
  .meta({ id: 'CreateTopupRequest' });

export const createTopup = defineRoute({
  operationId: 'createTopup',
  method: 'POST',
  path: '/v1/holder/topups',
  auth: 'holder',
  summary: 'Top up by WeChat Pay or Alipay: makes the order and the platform payment the app then opens',
  tags: ['holder', 'topup'],
  body: createTopupBody,
  response: z
    .object({
      order: topupOrderView,
      wechat: z
        .object({ appId: z.string(), timeStamp: z.string(), nonceStr: z.string(), package: z.string(), signType: z.literal('RSA'), paySign: z.string() })
        .optional()
        .meta({ description: 'Pass to wx.requestPayment' }),
      alipay: z.object({ tradeNo: z.string() }).optional().meta({ description: 'Pass to my.tradePay({ tradeNO })' }),
    })
    .meta({ id: 'TopupCreated' }),
  successStatus: 201,
  errors: ['TOPUP_AMOUNT_OUT_OF_RANGE', 'ACCOUNT_NOT_FOUND', 'CARD_CANCELLED', 'PAYMENT_CHANNEL_UNAVAILABLE'],
});

export const getTopup = defineRoute({
  operationId: 'getTopup',
  method: 'GET',
  path: '/v1/holder/topups/{orderId}',
  auth: 'holder',
  summary: 'A top-up order; while pending, the platform is asked about it (poll this until paid)',
  tags: ['holder', 'topup'],
  params: z.strictObject({ orderId: z.string().regex(/^T[0-9A-HJKMNP-TV-Z]{26}$/, { error: 'not an order id' }) }),
  response: topupOrderView,
  errors: ['ORDER_NOT_FOUND'],
});

const notification = (channel: 'wechat' | 'alipay') =>
  defineRoute({
    operationId: channel === 'wechat' ? 'wechatPayNotification' : 'alipayNotification',
    method: 'POST',
    path: `/v1/payments/${channel}/notify`,
    auth: 'none',
    summary: channel === 'wechat' ? 'WeChat Pay v3 payment notification' : 'Alipay trade status notification',
    description:
      channel === 'wechat'
        ? 'Signed (WECHATPAY2-SHA256-RSA2048) and AES-256-GCM encrypted by WeChat Pay. Answered {"code":"SUCCESS"} once applied; a notification refused (forged, stale, malformed, or not applicable) is answered 400 {"code":"FAIL"} (WeChat retries on any non-2xx), and a fault on our side 5xx.'
        : 'Form-encoded and RSA2-signed by Alipay. Answered "success" (text/plain) once applied; a notification refused is answered 400 "fail" (Alipay retries on anything but "success"), and a fault on our side 5xx.',
    tags: ['payments'],
    // The platform's acknowledgement format, not ours.
    response: (channel === 'wechat'
      ? z.object({ code: z.literal('SUCCESS'), message: z.string() }).meta({ id: 'WechatPayNotificationAck' })
      : z.literal('success')) as z.ZodType,
    ...(channel === 'alipay' ? { successContentType: 'text/plain' } : {}),
    otherResponses: [
      channel === 'wechat'
        ? {
            status: 400,
            description: 'Refused: not believed (signature, timestamp, serial, decryption, not our merchant/app) or not applicable; WeChat sends it again',
            schema: z.object({ code: z.literal('FAIL'), message: z.string() }).meta({ id: 'WechatPayNotificationRefusal' }),
          }
        : { status: 400, contentType: 'text/plain', description: 'Refused: not believed (signature, app id, seller) or not applicable; Alipay sends it again', schema: z.literal('fail') },
    ],
    // The channel is not configured: the platform sends the notification again later.
    errors: ['PAYMENT_CHANNEL_UNAVAILABLE'],
  });

export const wechatPayNotification = notification('wechat');
export const alipayNotification = notification('alipay');
