/**
 * Merchants, their terminals and refunds: the card centre's registry (audited), a terminal's
 * activation (the one-time code exchanged for its signing secret), and refunds at the terminal that
 * took the payment (same day) or by the card centre (later, or a duplicate charge the system made).
 */
import * as z from 'zod';
import { amountFen, balanceFen } from '../money';
import { ACTIVATION_CODE_PATTERN, normalizeActivationCode } from '../terminal-activation';
import { MERCHANT_CATEGORIES, MERCHANT_STATUSES, REFUND_CAUSES, SETTLEMENT_PERIODS, TERMINAL_KINDS, TERMINAL_STATUSES } from '../vocabulary';
import { actionReason } from './admin';
import { accountNo, externalId, ulidString } from './common';
import { defineRoute, STAFF } from './contract';

/** What every staff route can answer: its session ran out, or the caller's role may not (route layer). */
const SESSION = ['SESSION_EXPIRED', 'FORBIDDEN'] as const;

export const merchantId = z.string().regex(/^[A-Z][A-Z0-9_-]{1,31}$/, { error: 'a merchant id is 2 to 32 upper-case letters, digits, "_" or "-", starting with a letter' });
/** The same characters the terminal's signature header allows. */
export const terminalId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'a terminal id is 1 to 64 letters, digits, "_" or "-"' });

const merchantParams = z.strictObject({ merchantId });
const terminalParams = z.strictObject({ terminalId });

const feeRateBps = z.number().int().min(0).max(1_000).meta({ description: "The management fee in basis points of turnover, from the merchant's agreement (50 = 0.5%, the default)" });
const settlementPeriod = z.enum(SETTLEMENT_PERIODS).meta({ description: 'How often the merchant is settled (weekly unless the agreement says otherwise)' });

const settlementAccountBody = z
  .strictObject({
    bankName: z.string().trim().min(2).max(60),
    accountName: z.string().trim().min(2).max(60),
    accountNumber: z
      .string()
      .transform((text) => text.replace(/[\s-]/g, ''))
      .pipe(z.string().regex(/^\d{8,32}$/, { error: 'an account number is 8 to 32 digits (spaces and dashes are ignored)' }))
      .meta({ description: 'Kept only masked and as a keyed digest: never stored or returned in full' }),
  })
  .meta({ id: 'SettlementAccountRequest' });

export const merchantView = z
  .object({
    merchantId,
    name: z.string(),
    category: z.enum(MERCHANT_CATEGORIES),
    status: z.enum(MERCHANT_STATUSES),
    feeRateBps,
    settlementPeriod,
    settlementAccount: z
      .object({ bankName: z.string(), accountName: z.string(), masked: z.string().meta({ description: 'e.g. 6222 **** **** 1234' }) })
      .optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'Merchant' });

const merchantName = z.string().trim().min(2).max(60);

export const createMerchantBody = z
  .strictObject({
    merchantId,
    name: merchantName,
    category: z.enum(MERCHANT_CATEGORIES),
    settlementAccount: settlementAccountBody,
    feeRateBps: feeRateBps.optional(),
    settlementPeriod: settlementPeriod.optional(),
    reason: actionReason,
  })
  .meta({ id: 'CreateMerchantRequest' });

export const createMerchantRoute = defineRoute({
  operationId: 'createMerchant',
  method: 'POST',
  path: '/v1/admin/merchants',
  auth: 'admin',
  roles: STAFF.finance,
  summary: 'Register a merchant (supervisors): its category, settlement account (kept masked), fee rate and settlement period',
  tags: ['admin', 'merchants'],
  body: createMerchantBody,
  response: merchantView,
  successStatus: 201,
  errors: [...SESSION, 'FORBIDDEN', 'MERCHANT_EXISTS'],
});

export const listMerchantsRoute = defineRoute({
  operationId: 'listMerchants',
  method: 'GET',
  path: '/v1/admin/merchants',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'Every merchant, by id (optionally only those of one status)',
  tags: ['admin', 'merchants'],
  query: z.strictObject({ status: z.enum(MERCHANT_STATUSES).optional() }),
  response: z.object({ merchants: z.array(merchantView) }).meta({ id: 'MerchantList' }),
  errors: [...SESSION],
});

export const getMerchantRoute = defineRoute({
  operationId: 'getMerchant',
  method: 'GET',
  path: '/v1/admin/merchants/{merchantId}',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'One merchant',
  tags: ['admin', 'merchants'],
  params: merchantParams,
  response: merchantView,
  errors: [...SESSION, 'MERCHANT_NOT_FOUND'],
});

export const updateMerchantBody = z
  .strictObject({
    name: merchantName.optional(),
    category: z.enum(MERCHANT_CATEGORIES).optional(),
    settlementAccount: settlementAccountBody.optional(),
    feeRateBps: feeRateBps.optional(),
    settlementPeriod: settlementPeriod.optional(),
    reason: actionReason,
  })
  .refine((body) => Object.keys(body).some((name) => name !== 'reason'), { error: 'say what to change' })
  .meta({ id: 'UpdateMerchantRequest' });

export const updateMerchantRoute = defineRoute({
  operationId: 'updateMerchant',
  method: 'PATCH',
  path: '/v1/admin/merchants/{merchantId}',
  auth: 'admin',
  roles: STAFF.finance,
  summary: "Change a merchant's name, category, settlement account, fee rate or settlement period (supervisors)",
  description: 'A statement already closed keeps the terms it was closed with; the next one uses the new terms.',
  tags: ['admin', 'merchants'],
  params: merchantParams,
  body: updateMerchantBody,
  response: merchantView,
  errors: [...SESSION, 'FORBIDDEN', 'MERCHANT_NOT_FOUND', 'BUSY_RETRY'],
});

const statusChange = z.strictObject({ reason: actionReason });

export const suspendMerchantRoute = defineRoute({
  operationId: 'suspendMerchant',
  method: 'POST',
  path: '/v1/admin/merchants/{merchantId}/suspension',
  auth: 'admin',
  roles: STAFF.finance,
  summary: "Suspend a merchant (supervisors): its terminals are refused (MERCHANT_SUSPENDED) within 30 s",
  tags: ['admin', 'merchants'],
  params: merchantParams,
  body: statusChange.meta({ id: 'SuspendMerchantRequest' }),
  response: merchantView,
  errors: [...SESSION, 'FORBIDDEN', 'MERCHANT_NOT_FOUND', 'MERCHANT_STATUS_UNCHANGED', 'BUSY_RETRY'],
});

export const reactivateMerchantRoute = defineRoute({
  operationId: 'reactivateMerchant',
  method: 'POST',
  path: '/v1/admin/merchants/{merchantId}/reactivation',
  auth: 'admin',
  roles: STAFF.finance,
  summary: 'Let a suspended merchant trade again (supervisors)',
  tags: ['admin', 'merchants'],
  params: merchantParams,
  body: statusChange.meta({ id: 'ReactivateMerchantRequest' }),
  response: merchantView,
  errors: [...SESSION, 'FORBIDDEN', 'MERCHANT_NOT_FOUND', 'MERCHANT_STATUS_UNCHANGED', 'BUSY_RETRY'],
});

export const checkSettlementAccountRoute = defineRoute({
  operationId: 'checkSettlementAccount',
  method: 'POST',
  path: '/v1/admin/merchants/{merchantId}/settlement-account-check',
  auth: 'admin',
  roles: STAFF.finance,
  summary: "Does an account number finance was given match the merchant's settlement account? (audited; the number is never stored)",
  tags: ['admin', 'merchants'],
  params: merchantParams,
  body: z.strictObject({ accountNumber: settlementAccountBody.shape.accountNumber, reason: actionReason }).meta({ id: 'SettlementAccountCheckRequest' }),
  response: z.object({ merchantId, matches: z.boolean(), masked: z.string().optional() }).meta({ id: 'SettlementAccountCheck' }),
  errors: [...SESSION, 'MERCHANT_NOT_FOUND'],
});

export const terminalView = z
  .object({
    terminalId,
    merchantId,
    place: z.string(),
    kind: z.enum(TERMINAL_KINDS).optional(),
    status: z.enum(TERMINAL_STATUSES),
    createdAt: z.iso.datetime(),
    activatedAt: z.iso.datetime().optional().meta({ description: 'When its current secret was issued' }),
    disabledAt: z.iso.datetime().optional(),
    activationExpiresAt: z.iso.datetime().optional().meta({ description: 'Present while an activation code waits to be used' }),
    lastSeenAt: z.iso.datetime().optional().meta({ description: 'When it last signed a request (recorded at most once a minute)' }),
  })
  .meta({ id: 'Terminal' });

const activationCode = z.string().meta({ description: '16 characters in groups of four, e.g. K7QM-3XTR-9BWD-2HFN: shown this once, only its hash is kept' });

const terminalWithCode = z
  .object({ terminal: terminalView, activationCode, activationExpiresAt: z.iso.datetime() })
  .meta({ id: 'TerminalActivationCode' });

export const registerTerminalRoute = defineRoute({
  operationId: 'registerTerminal',
  method: 'POST',
  path: '/v1/admin/terminals',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Register a terminal to one merchant and one place: no secret yet, and a one-time activation code for the installer',
  tags: ['admin', 'merchants'],
  body: z
    .strictObject({
      terminalId,
      merchantId,
      place: z.string().trim().min(2).max(80).meta({ description: 'Where it is installed, e.g. 一食堂 2F 窗口 3: a terminal must not move' }),
      kind: z.enum(TERMINAL_KINDS),
      reason: actionReason,
    })
    .meta({ id: 'RegisterTerminalRequest' }),
  response: terminalWithCode,
  successStatus: 201,
  errors: [...SESSION, 'MERCHANT_NOT_FOUND', 'TERMINAL_EXISTS'],
});

export const getTerminalRoute = defineRoute({
  operationId: 'getTerminal',
  method: 'GET',
  path: '/v1/admin/terminals/{terminalId}',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'One terminal (never its secret)',
  tags: ['admin', 'merchants'],
  params: terminalParams,
  response: terminalView,
  errors: [...SESSION, 'TERMINAL_NOT_FOUND'],
});

export const listMerchantTerminalsRoute = defineRoute({
  operationId: 'listMerchantTerminals',
  method: 'GET',
  path: '/v1/admin/merchants/{merchantId}/terminals',
  auth: 'admin',
  roles: STAFF.readers,
  summary: "A merchant's terminals",
  tags: ['admin', 'merchants'],
  params: merchantParams,
  response: z.object({ terminals: z.array(terminalView) }).meta({ id: 'TerminalList' }),
  errors: [...SESSION, 'MERCHANT_NOT_FOUND'],
});

export const issueActivationCodeRoute = defineRoute({
  operationId: 'issueActivationCode',
  method: 'POST',
  path: '/v1/admin/terminals/{terminalId}/activation-codes',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'A new one-time activation code: rotation for an active terminal, re-activation for a disabled one',
  description:
    'The current secret keeps working until the code is exchanged, then stops. A code issued before is void. A disabled terminal stays disabled until the code is exchanged for a new secret.',
  tags: ['admin', 'merchants'],
  params: terminalParams,
  body: z.strictObject({ reason: actionReason }).meta({ id: 'IssueActivationCodeRequest' }),
  response: terminalWithCode,
  successStatus: 201,
  errors: [...SESSION, 'TERMINAL_NOT_FOUND'],
});

export const disableTerminalRoute = defineRoute({
  operationId: 'disableTerminal',
  method: 'POST',
  path: '/v1/admin/terminals/{terminalId}/disable',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Disable a terminal (stolen, broken, removed): refused within 30 s; a waiting activation code is void',
  tags: ['admin', 'merchants'],
  params: terminalParams,
  body: z.strictObject({ reason: actionReason }).meta({ id: 'DisableTerminalRequest' }),
  response: terminalView,
  errors: [...SESSION, 'TERMINAL_NOT_FOUND', 'TERMINAL_ALREADY_DISABLED'],
});

export const activateTerminalRoute = defineRoute({
  operationId: 'activateTerminal',
  method: 'POST',
  path: '/v1/pos/activation',
  auth: 'none',
  summary: 'A terminal exchanges its one-time activation code for its signing secret (returned this once, never again)',
  description:
    'Not signed: the terminal has no secret yet, the code is the credential (80 bits, once only, 24 hours). Wrong, expired, used and unknown codes answer alike (ACTIVATION_CODE_INVALID). If this answer is lost, ask the card centre for a new code.',
  tags: ['pos'],
  body: z
    .strictObject({
      terminalId,
      activationCode: z
        .string()
        .max(40)
        .refine((text) => ACTIVATION_CODE_PATTERN.test(normalizeActivationCode(text)), {
          error: 'an activation code is 16 letters and digits (dashes and spaces are ignored)',
        }),
    })
    .meta({ id: 'TerminalActivationRequest' }),
  response: z
    .object({
      terminalId,
      merchantId,
      place: z.string(),
      kind: z.enum(TERMINAL_KINDS).meta({ description: 'What this terminal is (the app picks its mode from it): a record registered without a kind is a pos' }),
      secret: z.string().meta({ description: 'The HMAC-SHA256 key for request signatures (docs/terminal-auth.md). Shown only here.' }),
      activatedAt: z.iso.datetime(),
    })
    .meta({ id: 'TerminalActivated' }),
  errors: ['ACTIVATION_CODE_INVALID'],
});

const refundPosted = z.object({
  refundReceiptNo: ulidString.meta({ description: "The refund's own receipt number" }),
  receiptNo: ulidString.meta({ description: 'The purchase refunded' }),
  amountFen,
  balanceFen: balanceFen.meta({ description: "The holder's balance after the refund" }),
  holderDisplayName: z.string(),
  postedAt: z.iso.datetime(),
  replayed: z.boolean().meta({ description: 'true when this answers a retry of a refund already posted' }),
});

const REFUND_REFUSALS = ['RECEIPT_NOT_FOUND', 'REFUND_NOT_ALLOWED', 'REFUND_EXCEEDS_PURCHASE', 'INVALID_AMOUNT', 'CARD_CANCELLED', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'] as const;

export const posRefundRoute = defineRoute({
  operationId: 'posRefund',
  method: 'POST',
  path: '/v1/pos/refunds',
  auth: 'terminal',
  summary: 'Refund (part of) a payment at the terminal that took it, on the same campus day',
  description:
    'Several partial refunds may be made, never more than the payment in all. Idempotent on refundId per terminal: a retry answers the refund posted (replayed: true); the same refundId with another receipt or amount is IDEMPOTENCY_CONFLICT. Another terminal is REFUND_WRONG_TERMINAL; a later day is REFUND_DAY_PASSED (the card centre refunds then). The receipt number identifies a QR payment, a card charge or an uploaded offline record alike.',
  tags: ['pos'],
  body: z
    .strictObject({
      refundId: externalId.meta({ description: "The terminal's own refund id: retrying with the same id never refunds twice" }),
      receiptNo: ulidString.meta({ description: "The payment's receipt number" }),
      amountFen,
    })
    .meta({ id: 'PosRefundRequest' }),
  response: refundPosted.meta({ id: 'PosRefundResult' }),
  errors: [...REFUND_REFUSALS, 'REFUND_WRONG_TERMINAL', 'REFUND_DAY_PASSED'],
});

const adminRefundPosted = refundPosted.extend({ accountNo, merchantId: z.string(), refundCause: z.enum(REFUND_CAUSES), reason: z.string() });

export const adminRefundRoute = defineRoute({
  operationId: 'adminRefund',
  method: 'POST',
  path: '/v1/admin/refunds',
  auth: 'admin',
  roles: STAFF.counter,
  summary: "The card centre refunds (part of) a payment, any day, out of the merchant's payable (with a reason; idempotent on refundId)",
  description:
    "A guardian deposit's receipt instead goes back whole to the payer's own WeChat Pay / Alipay, out of the holder's balance (refundCause guardian_deposit, merchantId empty), never to the holder.",
  tags: ['admin'],
  body: z.strictObject({ refundId: externalId, receiptNo: ulidString, amountFen, reason: actionReason }).meta({ id: 'AdminRefundRequest' }),
  response: adminRefundPosted.meta({ id: 'AdminRefundResult' }),
  // A guardian deposit's receipt (issue 18): refunded whole to the payer's WeChat Pay / Alipay, out of the holder's balance.
  errors: [...SESSION, ...REFUND_REFUSALS, 'GUARDIAN_REFUND_WHOLE_DEPOSIT', 'INSUFFICIENT_BALANCE'],
});

export const refundDuplicateChargeRoute = defineRoute({
  operationId: 'refundDuplicateCharge',
  method: 'POST',
  path: '/v1/admin/duplicate-charges',
  auth: 'admin',
  roles: STAFF.counter,
  summary: "Take a duplicate charge the system made back out of the merchant's settlement: all that is left of it goes back to the holder",
  description:
    "receiptNo is the duplicate, duplicateOf the payment it repeats (same holder, merchant and amount). The refund entry says refundCause duplicate_charge, so the merchant's statement shows it as an adjustment. Idempotent on refundId.",
  tags: ['admin'],
  body: z
    .strictObject({ refundId: externalId, receiptNo: ulidString, duplicateOf: ulidString, reason: actionReason })
    .meta({ id: 'DuplicateChargeRefundRequest' }),
  response: adminRefundPosted.meta({ id: 'DuplicateChargeRefundResult' }),
  errors: [...SESSION, ...REFUND_REFUSALS, 'DUPLICATE_CHARGE_MISMATCH'],
});
