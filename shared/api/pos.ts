/** Routes for POS terminals (each request signed by the terminal). */
import * as z from 'zod';
import { amountFen, balanceFen } from '../money';
import { accountNo, externalId } from './common';
import { defineRoute } from './contract';
import type { ErrorCode } from '../errors';
import { BUNDLE_VERSION_PATTERN } from '../offline-bundle';

const posTxnId = externalId.meta({ description: "The terminal's own transaction id: retrying with the same id never charges twice" });

/** What the POS shows after any successful payment. */
const paymentResult = z.object({
  receiptNo: z.string().meta({ description: 'Quote this to the card centre to look the payment up' }),
  amountFen,
  balanceFen: balanceFen.meta({ description: 'Remaining account balance after this payment' }),
  holderDisplayName: z.string().meta({ description: 'Masked holder name for the POS screen, e.g. 张*明' }),
  postedAt: z.iso.datetime(),
  replayed: z.boolean().meta({ description: 'true when this answers a retry of an already-posted payment' }),
});

/** Why any payment can be refused (the POS's continuous alarm), beyond what is particular to its method. */
const PAYMENT_REFUSALS = [
  'ACCOUNT_NOT_FOUND',
  'INSUFFICIENT_BALANCE',
  'PASSWORD_REQUIRED',
  'CARD_LOST',
  'CARD_FROZEN',
  'CARD_CANCELLED',
  'CARD_EXPIRED',
  'IDEMPOTENCY_CONFLICT',
  'POS_TXN_CLOSED',
  'BUSY_RETRY',
] as const;


const chipUid = z.string().regex(/^[0-9A-F]{8,20}$/, { error: 'a chip UID is 8 to 20 upper-case hex digits' });
const cardTxnCounter = z.number().int().min(0).max(2 ** 32 - 1).meta({ description: "The CPU card's online transaction counter, as read from the card" });

const sixDigits = z.string().regex(/^\d{6}$/, { error: 'a password is 6 digits' });

export const posChargeBody = z
  .strictObject({
    posTxnId,
    chipUid: chipUid.meta({ description: 'The tapped card: the server judges the payment by this card (a lost, replaced or cancelled card is refused)' }),
    amountFen,
    chipBalanceFen: balanceFen.optional().meta({ description: 'What the chip holds, as read at this tap (required for a CPU card)' }),
    cardTxnCounter: cardTxnCounter.optional().meta({ description: 'Required for a CPU card' }),
    consumptionPassword: sixDigits.optional().meta({
      description: 'Only after PASSWORD_REQUIRED (the POS shows P----): the holder types it on the POS keypad; send the same posTxnId',
    }),
  })
  .meta({ id: 'PosChargeRequest' });

export const posChargeResponse = paymentResult
  .extend({
    accountNo,
    chipBalanceToWriteFen: balanceFen.optional().meta({
      description: 'Write this to the chip (present when the chip balance was read): the account balance, less card spending the chip has that is not uploaded yet',
    }),
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
  errors: ['CARD_NOT_FOUND', 'CARD_VOID', 'CHIP_READ_REQUIRED', 'CARD_REPLACED_TODAY', 'PASSWORD_WRONG', 'PASSWORD_LOCKED', 'PASSWORD_NOT_SET', ...PAYMENT_REFUSALS],
});


const qrToken = z.string().min(1).max(200).meta({ description: 'The campus QR code as scanned (see docs/qr-token.md)' });

export const qrPaymentBody = z
  .strictObject({
    posTxnId,
    token: qrToken,
    amountFen,
    consumptionPassword: sixDigits.optional().meta({
      description: 'Only after PASSWORD_REQUIRED (the POS shows P----): the holder types it on the POS keypad',
    }),
  })
  .meta({ id: 'QrPaymentRequest' });

export const qrPaymentResponse = paymentResult.meta({ id: 'QrPaymentResult' });

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
    'CARD_REPLACED_TODAY',
    'PASSWORD_WRONG',
    'PASSWORD_LOCKED',
    'PASSWORD_NOT_SET',
    ...PAYMENT_REFUSALS,
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

export const posTransactionResponse = z
  .discriminatedUnion('status', [
    z.object({
      posTxnId: z.string(),
      status: z.literal('posted'),
      method: z.enum(['card', 'qr']).meta({ description: 'card: POST /v1/pos/charges; qr: POST /v1/pos/qr-payments' }),
      receiptNo: z.string(),
      amountFen,
      balanceFen: balanceFen.meta({ description: 'The account balance right after this payment' }),
      holderDisplayName: z.string(),
      postedAt: z.iso.datetime(),
    }),
    z.object({
      posTxnId: z.string(),
      status: z.literal('not_found').meta({
        description: 'Nothing posted under this id, and now nothing ever will: the id is closed (a request still on its way is refused POS_TXN_CLOSED)',
      }),
    }),
  ])
  .meta({ id: 'PosTransaction' });

export const posTransaction = defineRoute({
  operationId: 'getPosTransaction',
  method: 'GET',
  path: '/v1/pos/transactions/{posTxnId}',
  auth: 'terminal',
  summary: 'What became of a payment this terminal sent (a card charge or a QR payment) when its answer was lost',
  description:
    'posted: the receipt, as the payment answered. not_found: no money moved, and the id is closed in the same step, so the sale may be taken again under a new posTxnId. Signed like every terminal request (the body is empty). See docs/terminal-auth.md, "Retries".',
  tags: ['pos'],
  params: z.strictObject({ posTxnId }),
  response: posTransactionResponse,
  errors: [],
});

/** Why a bundle key's account may not pay: the online refusal's own codes (functions/domain/account.ts spendRefusal). */
export const OFFLINE_BLOCKED_REASONS = ['CARD_LOST', 'CARD_FROZEN', 'CARD_CANCELLED', 'CARD_EXPIRED'] as const satisfies readonly ErrorCode[];
/** Why a blacklisted chip may not pay: its account's reason, or the card's own (CARD_VOID: replaced or cancelled). */
export const OFFLINE_CARD_REASONS = [...OFFLINE_BLOCKED_REASONS, 'CARD_VOID'] as const satisfies readonly ErrorCode[];

/** The original bundle (no format asked): every key as an object. */
export const offlineBundleFull = z
  .object({
    terminalId: z.string(),
    issuedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    stepSeconds: z.number().int(),
    windowSteps: z.number().int(),
    keys: z.array(
      z.object({
        keyId: z.number().int(),
        publicKey: z.string().meta({ description: 'Raw Ed25519 public key, base64url' }),
        accountNo,
        offlineCapFen: balanceFen.meta({ description: 'The most this account may spend offline today (0 for a blocked account)' }),
        blocked: z.enum(OFFLINE_BLOCKED_REASONS).optional().meta({
          description:
            'Present when the account may not pay (its number is in the blacklist too): a code signed by this key is refused offline with this code and its message, as the online payment refuses it, never taken',
        }),
      }),
    ),
    blacklist: z.object({
      accountNos: z.array(accountNo),
      chipUids: z.array(z.string()),
      chipReasons: z
        .record(z.string(), z.enum(OFFLINE_CARD_REASONS))
        .optional()
        .meta({ description: 'By chip UID of the list: the code the online charge refuses that card with (a terminal answers it offline too); a chip without one is OFFLINE_BLACKLISTED' }),
    }),
  })
  .meta({ id: 'OfflineBundle' });

const keyRow = z.tuple([z.number().int(), z.string(), accountNo, balanceFen]).meta({ description: '[keyId, publicKey (raw Ed25519, base64url), accountNo, offlineCapFen as of the snapshot]' });

/**
 * format=2: the keys as rows of a versioned snapshot, the blacklist live and whole. The terminal
 * derives the original shape: a key whose account is in `blacklist.accounts` is blocked with that
 * reason and a cap of 0.
 */
export const offlineBundleCompact = z
  .object({
    format: z.literal(2),
    terminalId: z.string(),
    issuedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    stepSeconds: z.number().int(),
    windowSteps: z.number().int(),
    version: z.string().regex(BUNDLE_VERSION_PATTERN),
    digest: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'SHA-256 (hex) of JSON of every row by keyId after this answer is applied' }),
    recent: z.array(keyRow).meta({ description: 'Keys registered since the snapshot was built, live and whole (not in the digest): each replaces any row of its account' }),
    blacklist: z.object({
      accounts: z.record(accountNo, z.enum(OFFLINE_BLOCKED_REASONS)).meta({ description: 'Accounts that may not pay, with the online refusal’s code' }),
      chips: z.record(z.string(), z.enum(OFFLINE_CARD_REASONS)).meta({ description: 'Chip UIDs that may not pay, with the online refusal’s code' }),
    }),
  })
  .and(
    z.union([
      z.object({ full: z.literal(true), keys: z.array(keyRow) }),
      z.object({ full: z.literal(false), since: z.string().regex(BUNDLE_VERSION_PATTERN), upsert: z.array(keyRow), remove: z.array(z.number().int()) }),
    ]),
  )
  .meta({ id: 'OfflineBundleCompact' });

export const offlineBundle = defineRoute({
  operationId: 'getOfflineBundle',
  method: 'GET',
  path: '/v1/pos/offline-bundle',
  auth: 'terminal',
  summary: 'What a POS needs to take QR and card payments while the network is down',
  description:
    'The active device keys (a code signed by any other key is refused; the key of an account that may not pay is kept, marked `blocked` with the online refusal’s code, so the terminal can say why), the blacklist of accounts and chip UIDs that may not pay, each account’s offline cap for the day, and when the bundle expires. Fetch it again at least every 24 hours. With `format=2` the keys come as rows of a campus-wide snapshot built at most once an hour, with a version; `since` (the version held) answers only the rows that changed (docs/terminal-client.md, "The bundle at scale").',
  tags: ['pos'],
  query: z
    .object({
      format: z.literal('2').optional().meta({ description: 'The compact format (rows, a version, deltas); absent: the original full object' }),
      since: z
        .string()
        .regex(BUNDLE_VERSION_PATTERN, { error: 'since is a bundle version as this route gave it (13 digits)' })
        .optional()
        .meta({ description: 'format 2: the version the terminal holds; the answer is then a delta from it when the server still has it, else a full bundle' }),
    })
    .refine((q) => q.since === undefined || q.format === '2', { error: 'since needs format=2', path: ['since'] }),
  response: z.union([offlineBundleFull, offlineBundleCompact]),
  errors: [],
});

export const offlineRecordBody = z
  .strictObject({
    recordId: externalId.meta({ description: 'The POS’s own id for the record: uploading it again never charges twice' }),
    occurredAt: z.iso.datetime().meta({ description: 'When the POS took the payment (its clock)' }),
    amountFen,
    method: z.enum(['qr', 'card']),
    token: qrToken.optional().meta({ description: 'method qr: the code as scanned' }),
    chipUid: chipUid.optional(),
    chipBalanceAfterFen: balanceFen.optional().meta({ description: 'method card: what the chip held after the debit' }),
  })
  .refine((r) => (r.method === 'qr' ? r.token !== undefined && r.chipUid === undefined : r.chipUid !== undefined && r.chipBalanceAfterFen !== undefined && r.token === undefined), {
    error: 'a qr record carries token; a card record carries chipUid and chipBalanceAfterFen',
    path: ['method'],
  });

export const offlineUploadBody = z
  .strictObject({
    records: z
      .array(offlineRecordBody)
      .min(1)
      .max(200)
      .refine((records) => new Set(records.map((r) => r.recordId)).size === records.length, { error: 'recordId must be unique within an upload' }),
  })
  .meta({ id: 'OfflineUpload' });

export const offlineUploadResponse = z
  .object({
    results: z.array(
      z.object({
        recordId: z.string(),
        outcome: z.enum(['applied', 'held', 'rejected', 'reflected']).meta({
          description:
            'applied: charged; held: stored for the card centre (no money moved; e.g. the card was lost or void when it was used); rejected: not a valid payment, stored for review; reflected: already in the account through a levelling to the card, never charged again',
        }),
        receiptNo: z.string().optional(),
        balanceFen: balanceFen.optional(),
        frozen: z.boolean().optional().meta({ description: 'The account was frozen for reconciliation' }),
        reason: z.string().optional(),
        replayed: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'OfflineUploadResult' });

export const offlineUpload = defineRoute({
  operationId: 'uploadOfflineRecords',
  method: 'POST',
  path: '/v1/pos/offline-uploads',
  auth: 'terminal',
  summary: 'Upload payments taken offline (idempotent per record; late, repeated and out-of-order uploads are fine)',
  tags: ['pos'],
  body: offlineUploadBody,
  response: offlineUploadResponse,
  errors: [],
});


export const reserveCardLoad = defineRoute({
  operationId: 'reserveCardLoad',
  method: 'POST',
  path: '/v1/pos/card-loads',
  auth: 'terminal',
  summary: 'At an idle tap: reserve the transitional balance waiting for this CPU card (and settle an earlier unconfirmed load)',
  description:
    'Two-phase: reserve → write the chip → confirm. An earlier reservation that was never confirmed is settled by what the card shows: its counter moved (posted) or not (voided).',
  tags: ['pos'],
  body: z.strictObject({ chipUid, cardTxnCounter, chipBalanceFen: balanceFen }).meta({ id: 'CardLoadTap' }),
  response: z
    .object({
      load: z
        .object({
          loadId: z.string(),
          amountFen,
          expectedChipBalanceAfterFen: balanceFen,
          expectedCardTxnCounterAfter: cardTxnCounter,
          expiresAt: z.iso.datetime(),
        })
        .optional()
        .meta({ description: 'Absent when nothing is waiting for this card' }),
      settledEarlier: z
        .object({
          loadId: z.string(),
          outcome: z.enum(['posted', 'voided', 'expired']).meta({
            description:
              'posted: the card took it; voided: this terminal saw the card unchanged; expired: seen unchanged after the reservation ran out (the money stays transitional either way)',
          }),
        })
        .optional(),
    })
    .meta({ id: 'CardLoadReservation' }),
  errors: ['CARD_NOT_FOUND', 'CARD_VOID', 'NO_CPU_CARD', 'LOAD_IN_PROGRESS', 'CARD_LOST', 'CARD_FROZEN', 'CARD_CANCELLED', 'CARD_EXPIRED', 'BUSY_RETRY'],
});

export const confirmCardLoad = defineRoute({
  operationId: 'confirmCardLoad',
  method: 'POST',
  path: '/v1/pos/card-loads/{loadId}/confirm',
  auth: 'terminal',
  summary: 'After writing the chip: confirm with what the card now reports (idempotent)',
  tags: ['pos'],
  params: z.strictObject({ loadId: z.string().regex(/^L[0-9A-HJKMNP-TV-Z]{26}$/, { error: 'not a load id' }) }),
  body: z.strictObject({ cardTxnCounterAfter: cardTxnCounter, chipBalanceAfterFen: balanceFen }).meta({ id: 'CardLoadConfirmation' }),
  response: z
    .object({
      loadId: z.string(),
      amountFen,
      balanceFen,
      transitionalFen: balanceFen,
      receiptNo: z.string(),
      replayed: z.boolean(),
    })
    .meta({ id: 'CardLoadPosted' }),
  errors: ['LOAD_NOT_FOUND', 'LOAD_VOIDED', 'LOAD_MISMATCH', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'],
});

export const bankTransfer = defineRoute({
  operationId: 'bankTransfer',
  method: 'POST',
  path: '/v1/pos/bank-transfers',
  auth: 'terminal',
  summary: 'Self-service kiosk (圈存): move 1–500 yuan from the holder’s bound bank card onto the campus card',
  description:
    'The query password and the bank PIN are both checked. The transfer is recorded before the bank is asked; retrying with the same transferId resumes it and never moves money twice. ' +
    'If the account cannot take the money after the bank debited it, the debit is reversed at the bank (BANK_TRANSFER_REVERSED).',
  tags: ['pos', 'topup'],
  body: z
    .strictObject({
      transferId: externalId,
      chipUid,
      amountFen: amountFen.meta({ description: '1 to 500 yuan (100 to 50,000 fen)' }),
      queryPassword: sixDigits,
      bankPin: z.string().regex(/^\d{6}$/, { error: 'a bank PIN is 6 digits' }),
    })
    .meta({ id: 'BankTransferRequest' }),
  response: z
    .object({
      receiptNo: z.string(),
      amountFen,
      purse: z.enum(['balance', 'transitional']),
      balanceFen,
      transitionalFen: balanceFen,
      replayed: z.boolean(),
    })
    .meta({ id: 'BankTransferResult' }),
  errors: [
    'TERMINAL_KIND_NOT_ALLOWED',
    'TOPUP_AMOUNT_OUT_OF_RANGE',
    'CARD_NOT_FOUND',
    'CARD_CANCELLED',
    'BANK_CARD_NOT_BOUND',
    'PASSWORD_WRONG',
    'PASSWORD_LOCKED',
    'PASSWORD_NOT_SET',
    'BANK_PIN_WRONG',
    'BANK_INSUFFICIENT_FUNDS',
    'BANK_CARD_REFUSED',
    'BANK_UNAVAILABLE',
    'BANK_TRANSFER_REVERSED',
    'BANK_TRANSFER_EXPIRED',
    'ACCOUNT_NOT_FOUND',
    'IDEMPOTENCY_CONFLICT',
    'BUSY_RETRY',
  ],
});
