/** What holders do to their own card, and the kiosk's self-service replacement. */
import * as z from 'zod';
import { balanceFen } from '../money';
import { accountNo, externalId } from './common';
import { defineRoute } from './contract';

const sixDigits = z.string().regex(/^\d{6}$/, { error: 'a password is 6 digits' });

export const changePasswordBody = z.strictObject({ oldPassword: sixDigits, newPassword: sixDigits }).meta({ id: 'ChangePasswordRequest' });

export const changePassword = defineRoute({
  operationId: 'changeHolderPassword',
  method: 'POST',
  path: '/v1/holder/passwords/{kind}',
  auth: 'holder',
  summary: 'Change the query or the consumption password (the old one is required)',
  tags: ['holder', 'card'],
  params: z.strictObject({ kind: z.enum(['query', 'consumption']) }),
  body: changePasswordBody,
  response: z.object({ changed: z.literal(true) }),
  errors: ['PASSWORD_WRONG', 'PASSWORD_LOCKED', 'PASSWORD_NOT_SET', 'PASSWORD_INVALID', 'PASSWORD_UNCHANGED', 'BUSY_RETRY'],
});

export const dailyLimitBody = z.strictObject({ dailyLimitFen: balanceFen, consumptionPassword: sixDigits }).meta({ id: 'DailyLimitRequest' });

export const setDailyLimit = defineRoute({
  operationId: 'setDailyLimit',
  method: 'PUT',
  path: '/v1/holder/daily-limit',
  auth: 'holder',
  summary: 'Set the daily limit (up to 600 yuan) with the consumption password',
  tags: ['holder', 'card'],
  body: dailyLimitBody,
  response: z.object({ dailyLimitFen: balanceFen }),
  errors: ['DAILY_LIMIT_OUT_OF_RANGE', 'PASSWORD_WRONG', 'PASSWORD_LOCKED', 'PASSWORD_NOT_SET', 'BUSY_RETRY'],
});

export const reportLoss = defineRoute({
  operationId: 'reportLoss',
  method: 'POST',
  path: '/v1/holder/loss',
  auth: 'holder',
  summary: 'Report the card lost: refused everywhere at once (query password)',
  tags: ['holder', 'card'],
  body: z.strictObject({ queryPassword: sixDigits }).meta({ id: 'ReportLossRequest' }),
  response: z.object({ status: z.literal('lost') }),
  errors: ['PASSWORD_WRONG', 'PASSWORD_LOCKED', 'PASSWORD_NOT_SET', 'CARD_FROZEN', 'CARD_CANCELLED', 'BUSY_RETRY'],
});

export const unfreeze = defineRoute({
  operationId: 'unfreezeLostCard',
  method: 'POST',
  path: '/v1/holder/unfreeze',
  auth: 'holder',
  summary: 'Unfreeze a card reported lost (if campus policy allows it in the app)',
  tags: ['holder', 'card'],
  body: z.strictObject({ queryPassword: sixDigits }).meta({ id: 'UnfreezeRequest' }),
  response: z.object({ status: z.literal('active') }),
  errors: ['UNFREEZE_AT_CARD_CENTRE', 'PASSWORD_WRONG', 'PASSWORD_LOCKED', 'PASSWORD_NOT_SET', 'BUSY_RETRY'],
});

export const replacementRequestView = z
  .object({
    requestId: z.string(),
    accountNo,
    kind: z.enum(['cpu', 'm1']),
    status: z.enum(['requested', 'issued']).meta({ description: 'requested: waiting at the card centre; issued: the new card was handed over' }),
    feeFen: balanceFen.meta({ description: 'The fee the card centre deducts from the balance when it hands over the card' }),
    requestedAt: z.iso.datetime(),
    issuedAt: z.iso.datetime().optional(),
    newCardId: z.string().optional(),
    receiptNo: z.string().optional(),
  })
  .meta({ id: 'ReplacementRequest' });

export const requestReplacement = defineRoute({
  operationId: 'requestCardReplacement',
  method: 'POST',
  path: '/v1/holder/card-replacement',
  auth: 'holder',
  summary: 'Ask the card centre for a replacement card (the old card must be reported lost); the fee is charged at pick-up',
  tags: ['holder', 'card'],
  body: z.strictObject({ queryPassword: sixDigits, kind: z.enum(['cpu', 'm1']) }).meta({ id: 'ReplacementRequestBody' }),
  response: replacementRequestView,
  successStatus: 201,
  errors: ['REPLACEMENT_NEEDS_LOSS', 'REPLACEMENT_ALREADY_REQUESTED', 'PASSWORD_WRONG', 'PASSWORD_LOCKED', 'PASSWORD_NOT_SET', 'CARD_CANCELLED', 'BUSY_RETRY'],
});

export const getReplacement = defineRoute({
  operationId: 'getCardReplacement',
  method: 'GET',
  path: '/v1/holder/card-replacement',
  auth: 'holder',
  summary: "The holder's latest replacement request, if any",
  tags: ['holder', 'card'],
  response: z.object({ request: replacementRequestView.optional() }).meta({ id: 'ReplacementRequestState' }),
  errors: [],
});

export const kioskReplacement = defineRoute({
  operationId: 'replaceCardAtKiosk',
  method: 'POST',
  path: '/v1/pos/card-replacements',
  auth: 'terminal',
  summary: 'Self-service card replacement at a kiosk: fee deducted, old card void at once, new card active',
  tags: ['pos', 'card'],
  body: z
    .strictObject({
      replacementId: externalId,
      accountNo,
      queryPassword: sixDigits,
      newChipUid: z.string().regex(/^[0-9A-F]{8,20}$/, { error: 'a chip UID is 8 to 20 upper-case hex digits' }),
      newKind: z.enum(['cpu', 'm1']),
    })
    .meta({ id: 'KioskReplacementRequest' }),
  response: z.object({ receiptNo: z.string(), feeFen: balanceFen, balanceFen, newCardId: z.string(), replayed: z.boolean() }).meta({ id: 'KioskReplacementResult' }),
  errors: ['TERMINAL_KIND_NOT_ALLOWED', 'PASSWORD_WRONG', 'PASSWORD_LOCKED', 'PASSWORD_NOT_SET', 'REPLACEMENT_NEEDS_BALANCE', 'CARD_UID_TAKEN', 'CARD_CANCELLED', 'INSUFFICIENT_BALANCE', 'ACCOUNT_NOT_FOUND', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'],
});

export const passwordLogin = defineRoute({
  operationId: 'passwordLogin',
  method: 'POST',
  path: '/v1/auth/password',
  auth: 'none',
  summary: 'H5 sign-in with the student/staff id and the query password',
  tags: ['auth'],
  body: z.strictObject({ personId: z.string().min(1).max(32).regex(/^[A-Za-z0-9]+$/), queryPassword: sixDigits }).meta({ id: 'PasswordLoginRequest' }),
  response: z
    .object({
      session: z.string().meta({ description: 'Bearer token for /v1/holder/* (2 hours)' }),
      accountNo,
      mustChangePassword: z.boolean().meta({ description: 'The query password is still the default: prompt the holder to change it' }),
    })
    .meta({ id: 'HolderSignedIn' }),
  errors: ['UNAUTHENTICATED', 'PASSWORD_LOCKED'],
});

const signedIn = z.object({
  bound: z.literal(true),
  session: z.string(),
  accountNo,
  mustChangePassword: z.boolean(),
  payerId: z.string().optional().meta({ description: 'The WeChat openid or Alipay user id that signed in: pass it as payerId when topping up' }),
});
const needsBinding = z.object({ bound: z.literal(false), bindingToken: z.string().meta({ description: 'Pass to POST /v1/auth/bindings within 15 minutes' }) });
const platformSignInResponse = z.union([signedIn, needsBinding]).meta({ id: 'PlatformSignIn' });

export const wechatSignIn = defineRoute({
  operationId: 'wechatSignIn',
  method: 'POST',
  path: '/v1/auth/wechat',
  auth: 'none',
  summary: 'Sign in from the WeChat mini-program with the wx.login code',
  tags: ['auth'],
  body: z.strictObject({ code: z.string().min(1).max(128) }).meta({ id: 'WechatSignInRequest' }),
  response: platformSignInResponse,
  errors: ['UNAUTHENTICATED', 'LOGIN_PLATFORM_UNAVAILABLE'],
});

export const alipaySignIn = defineRoute({
  operationId: 'alipaySignIn',
  method: 'POST',
  path: '/v1/auth/alipay',
  auth: 'none',
  summary: 'Sign in from the Alipay mini-program with the my.getAuthCode code',
  tags: ['auth'],
  body: z.strictObject({ authCode: z.string().min(1).max(128) }).meta({ id: 'AlipaySignInRequest' }),
  response: platformSignInResponse,
  errors: ['UNAUTHENTICATED', 'LOGIN_PLATFORM_UNAVAILABLE'],
});

export const bindingRequest = z
  .strictObject({
    bindingToken: z.string().max(2048).optional().meta({ description: 'From /v1/auth/wechat or /v1/auth/alipay; absent in H5' }),
    personId: z.string().min(1).max(32).regex(/^[A-Za-z0-9]+$/),
    cardPassword: sixDigits.meta({ description: 'The card (query) password; by default the last six digits of the ID number' }),
    idType: z.enum(['id_card', 'passport']),
    idNumber: z.string().min(5).max(32).regex(/^[A-Za-z0-9]+$/),
    mobile: z.string().regex(/^(\+?86)?1\d{10}$/, { error: 'a mainland mobile number' }),
  })
  .meta({ id: 'BindingRequest' });

export const bindCard = defineRoute({
  operationId: 'bindElectronicCard',
  method: 'POST',
  path: '/v1/auth/bindings',
  auth: 'none',
  summary: 'Bind the electronic card: student/staff id, card password, ID type and number, mobile',
  description: 'Any mismatch answers BINDING_FAILED (the same for an unknown id); 5 failures lock that id for 30 minutes.',
  tags: ['auth'],
  body: bindingRequest,
  response: signedIn.omit({ bound: true }).meta({ id: 'Bound' }),
  errors: ['BINDING_FAILED', 'BINDING_LOCKED', 'SESSION_EXPIRED', 'UNAUTHENTICATED'],
});
