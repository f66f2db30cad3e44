/** Routes for POS terminals (each request signed by the terminal). */
import { z } from 'zod';
import { amountFen, balanceFen } from '../money';
import { accountNo, externalId } from './common';
import { defineRoute } from './contract';

export const posChargeBody = z
  .strictObject({
    posTxnId: externalId.meta({
      description: "The terminal's own transaction id: retrying with the same id never charges twice",
    }),
    accountNo,
    amountFen,
  })
  .meta({ id: 'PosChargeRequest' });

export const posChargeResponse = z
  .object({
    receiptNo: z.string().meta({ description: 'Quote this to the card centre to look the payment up' }),
    accountNo,
    amountFen,
    balanceFen: balanceFen.meta({ description: 'Remaining account balance after this payment' }),
    holderDisplayName: z.string().meta({ description: 'Masked holder name for the POS screen, e.g. 张*明' }),
    postedAt: z.iso.datetime(),
    replayed: z.boolean().meta({ description: 'true when this answers a retry of an already-posted charge' }),
  })
  .meta({ id: 'PosChargeResult' });

export const posCharge = defineRoute({
  operationId: 'posCharge',
  method: 'POST',
  path: '/v1/pos/charges',
  auth: 'terminal',
  summary: 'Charge an account at a POS terminal (online card payment)',
  description:
    'Debits the account and writes its ledger entry in one DynamoDB transaction. Idempotent on posTxnId per terminal.',
  tags: ['pos'],
  body: posChargeBody,
  response: posChargeResponse,
  errors: [
    'ACCOUNT_NOT_FOUND',
    'INSUFFICIENT_BALANCE',
    'PASSWORD_REQUIRED',
    'CARD_LOST',
    'CARD_FROZEN',
    'CARD_CANCELLED',
    'CARD_EXPIRED',
    'IDEMPOTENCY_CONFLICT',
    'BUSY_RETRY',
  ],
});


const qrToken = z.string().min(1).max(200).meta({ description: 'The campus QR code as scanned (see docs/qr-token.md)' });
const sixDigits = z.string().regex(/^\d{6}$/, { error: 'a password is 6 digits' });

export const qrPaymentBody = z
  .strictObject({
    posTxnId: externalId.meta({ description: "The terminal's own transaction id: retrying with the same id never charges twice" }),
    token: qrToken,
    amountFen,
    consumptionPassword: sixDigits.optional().meta({
      description: 'Only after PASSWORD_REQUIRED (the POS shows P----): the holder types it on the POS keypad',
    }),
  })
  .meta({ id: 'QrPaymentRequest' });

export const qrPaymentResponse = z
  .object({
    receiptNo: z.string(),
    amountFen,
    balanceFen: balanceFen.meta({ description: 'Remaining account balance after this payment' }),
    holderDisplayName: z.string(),
    postedAt: z.iso.datetime(),
    replayed: z.boolean(),
  })
  .meta({ id: 'QrPaymentResult' });

export const qrPayment = defineRoute({
  operationId: 'qrPayment',
  method: 'POST',
  path: '/v1/pos/qr-payments',
  auth: 'terminal',
  summary: 'Charge the account behind a scanned campus QR code',
  description:
    'Verifies the token (signature of the holder’s device key, time window, never used before) and debits the account in one transaction that also spends the token. Idempotent on posTxnId per terminal.',
  tags: ['pos'],
  body: qrPaymentBody,
  response: qrPaymentResponse,
  errors: [
    'TOKEN_INVALID',
    'TOKEN_WRONG_PURPOSE',
    'TOKEN_EXPIRED',
    'TOKEN_NOT_YET_VALID',
    'TOKEN_REUSED',
    'TOKEN_KEY_REVOKED',
    'ACCOUNT_NOT_FOUND',
    'INSUFFICIENT_BALANCE',
    'PASSWORD_REQUIRED',
    'PASSWORD_WRONG',
    'PASSWORD_LOCKED',
    'PASSWORD_NOT_SET',
    'CARD_LOST',
    'CARD_FROZEN',
    'CARD_CANCELLED',
    'CARD_EXPIRED',
    'IDEMPOTENCY_CONFLICT',
    'BUSY_RETRY',
  ],
});

export const identityScanBody = z.strictObject({ token: qrToken }).meta({ id: 'IdentityScanRequest' });

export const identityScanResponse = z
  .object({
    allowed: z.boolean(),
    reason: z.enum(['CARD_LOST', 'CARD_FROZEN', 'CARD_CANCELLED', 'CARD_EXPIRED', 'CARD_REPLACED_TODAY']).optional(),
    holderName: z.string(),
    personId: z.string(),
    cardType: z.string(),
  })
  .meta({ id: 'IdentityScanResult' });

export const identityScan = defineRoute({
  operationId: 'identityScan',
  method: 'POST',
  path: '/v1/pos/identity-scans',
  auth: 'terminal',
  summary: 'Check who shows an identity QR code at a gate, the library or the clinic, and whether they may pass',
  tags: ['pos'],
  body: identityScanBody,
  response: identityScanResponse,
  errors: ['TOKEN_INVALID', 'TOKEN_WRONG_PURPOSE', 'TOKEN_EXPIRED', 'TOKEN_NOT_YET_VALID', 'TOKEN_REUSED', 'TOKEN_KEY_REVOKED', 'ACCOUNT_NOT_FOUND'],
});
