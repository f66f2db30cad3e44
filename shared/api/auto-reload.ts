/** Automatic reload (issue 18 item 2; docs/auto-reload.md): the holder's recurring-debit agreement, its threshold and amount, and the platform's agreement notifications. */
import * as z from 'zod';
import { amountFen } from '../money';
import { defineRoute } from './contract';

const channel = z.enum(['wechat', 'alipay']);

export const autoReloadView = z
  .object({
    status: z.enum(['none', 'signing', 'active', 'cancelled']).describe('signing: the holder is on the platform’s signing page (or left it); active: reloads happen; cancelled: by the holder or the platform'),
    channel: channel.nullable(),
    thresholdFen: amountFen.nullable().describe('The low-balance threshold (the same one the low-balance notification uses): a payment that takes the balance below it triggers one reload'),
    amountFen: amountFen.nullable().describe('What one reload charges'),
    reloadsToday: z.number().int().nonnegative().describe('Reloads ordered this campus day'),
    dailyMax: z.number().int().nonnegative().describe('At most this many reloads per campus day (campus policy)'),
    bounds: z.object({ minAmountFen: amountFen, maxAmountFen: amountFen, minThresholdFen: amountFen, maxThresholdFen: amountFen }).describe('What the campus allows'),
  })
  .meta({ id: 'AutoReload' });

const settings = { thresholdFen: z.number().int().positive(), amountFen: z.number().int().positive() };

export const signAutoReloadBody = z.strictObject({ channel, ...settings }).meta({ id: 'SignAutoReloadRequest' });

export const signAutoReloadRoute = defineRoute({
  operationId: 'signAutoReload',
  method: 'POST',
  path: '/v1/holder/auto-reload',
  auth: 'holder',
  summary: 'Start signing a recurring-debit agreement (WeChat Pay 委托代扣, Alipay 商户代扣): answers what the app opens the platform’s signing page with',
  description:
    'The agreement is recorded (signing) before the platform is asked; it becomes active when the platform’s signing notification arrives. WeChat: pass `signing.navigateToMiniProgram` to wx.navigateToMiniProgram. Alipay (商户代扣): open `signing.signUrl` (my.ap.navigateToAlipayPage). The threshold becomes the account’s low-balance threshold.',
  tags: ['holder', 'topup'],
  body: signAutoReloadBody,
  response: z.object({
    agreementCode: z.string(),
    signing: z.union([
      z.object({ channel: z.literal('wechat'), navigateToMiniProgram: z.object({ appId: z.string(), path: z.string(), extraData: z.record(z.string(), z.string()) }) }),
      z.object({ channel: z.literal('alipay'), signUrl: z.string() }),
    ]),
  }),
  errors: ['AUTO_RELOAD_OUT_OF_RANGE', 'AUTO_RELOAD_ALREADY_ACTIVE', 'AUTO_RELOAD_CHANNEL_UNSUPPORTED', 'PAYMENT_CHANNEL_UNAVAILABLE', 'ACCOUNT_NOT_FOUND', 'CARD_CANCELLED', 'BUSY_RETRY'],
});

export const getAutoReloadRoute = defineRoute({
  operationId: 'getAutoReload',
  method: 'GET',
  path: '/v1/holder/auto-reload',
  auth: 'holder',
  summary: 'The automatic reload: agreement status, threshold, amount, reloads used today',
  tags: ['holder', 'topup'],
  response: autoReloadView,
  errors: ['ACCOUNT_NOT_FOUND'],
});

export const updateAutoReloadRoute = defineRoute({
  operationId: 'updateAutoReload',
  method: 'PUT',
  path: '/v1/holder/auto-reload',
  auth: 'holder',
  summary: 'Change the threshold and the amount (within the campus policy’s bounds)',
  tags: ['holder', 'topup'],
  body: z.strictObject(settings).meta({ id: 'UpdateAutoReloadRequest' }),
  response: autoReloadView,
  errors: ['AUTO_RELOAD_OUT_OF_RANGE', 'AUTO_RELOAD_NOT_SIGNED', 'ACCOUNT_NOT_FOUND', 'BUSY_RETRY'],
});

export const cancelAutoReloadRoute = defineRoute({
  operationId: 'cancelAutoReload',
  method: 'DELETE',
  path: '/v1/holder/auto-reload',
  auth: 'holder',
  summary: 'Cancel the agreement: at the platform first, then here (no reload follows)',
  tags: ['holder', 'topup'],
  response: autoReloadView,
  errors: ['AUTO_RELOAD_NOT_SIGNED', 'AUTO_RELOAD_CHANNEL_UNSUPPORTED', 'PAYMENT_CHANNEL_UNAVAILABLE', 'ACCOUNT_NOT_FOUND'],
});

export const wechatAgreementNotificationRoute = defineRoute({
  operationId: 'wechatPayAgreementNotification',
  method: 'POST',
  path: '/v1/payments/wechat/agreements/notify',
  auth: 'none',
  summary: 'WeChat Pay 委托代扣 contract notification (signed, terminated)',
  description:
    'Signed and encrypted as WeChat Pay payment notifications are (PAPAY.SIGN, PAPAY.TERMINATE). A signing makes the agreement active; a termination cancels it (it never becomes active again). Answered {"code":"SUCCESS"}; refused 400 {"code":"FAIL"}.',
  tags: ['payments'],
  response: z.object({ code: z.literal('SUCCESS'), message: z.string() }).meta({ id: 'WechatAgreementNotificationAck' }) as z.ZodType,
  otherResponses: [{ status: 400, description: 'Refused: not believed; WeChat sends it again', schema: z.object({ code: z.literal('FAIL'), message: z.string() }).meta({ id: 'WechatAgreementNotificationRefusal' }) }],
  // Not configured here (no channel, or no papay plan): 503, so WeChat sends it again later.
  errors: ['PAYMENT_CHANNEL_UNAVAILABLE'],
});

export const alipayAgreementNotificationRoute = defineRoute({
  operationId: 'alipayAgreementNotification',
  method: 'POST',
  path: '/v1/payments/alipay/agreements/notify',
  auth: 'none',
  summary: 'Alipay 商户代扣 agreement notification (dut_user_sign, dut_user_unsign)',
  description:
    'Form-encoded and RSA2-signed by Alipay, as its payment notifications are. A signing (status NORMAL) makes the agreement active; an unsigning cancels it (it never becomes active again). Answered "success" (text/plain); refused 400 "fail" (Alipay sends it again).',
  tags: ['payments'],
  response: z.literal('success') as z.ZodType,
  successContentType: 'text/plain',
  otherResponses: [{ status: 400, contentType: 'text/plain', description: 'Refused: not believed (signature, app id, merchant, product or scene) or malformed; Alipay sends it again', schema: z.literal('fail') }],
  // Not configured here (no channel, or no signing scene): 503, so Alipay sends it again later.
  errors: ['PAYMENT_CHANNEL_UNAVAILABLE'],
});
