/** Routes for card holders (the mini-program), authenticated by a holder session token. */
import * as z from 'zod';
import { balanceFen } from '../money';
import { ACCOUNT_STATUSES, CARD_KINDS, CARD_STATUSES, CARD_TYPES, MOVEMENT_TYPES, TOPUP_TRIGGERS } from '../vocabulary';
import { accountNo, campusDay, ulidString } from './common';
import { defineRoute } from './contract';

export const movementType = z.enum(MOVEMENT_TYPES);

const pursesShape = z.object({ balanceFen, transitionalFen: balanceFen, smallWalletFen: balanceFen });
const signedPurses = z.object({ balanceFen: z.number().int(), transitionalFen: z.number().int(), smallWalletFen: z.number().int() });

export const holderAccount = z
  .object({
    accountNo,
    personId: z.string(),
    holderName: z.string(),
    cardType: z.enum(CARD_TYPES),
    status: z.enum(ACCOUNT_STATUSES),
    expiresOn: campusDay.optional(),
    balanceFen: balanceFen.meta({ description: 'Spendable account balance' }),
    transitionalFen: balanceFen.meta({ description: 'Topped up online, waiting to be written to the CPU card at the next tap on an idle POS' }),
    smallWalletFen: balanceFen.meta({ description: 'Water-control small wallet' }),
    chipBalanceFen: balanceFen.optional().meta({ description: 'Last balance a POS read from the physical card' }),
    dailyLimitFen: balanceFen,
    spentTodayFen: balanceFen,
    cards: z.array(
      z.object({
        cardId: z.string(),
        kind: z.enum(CARD_KINDS),
        status: z.enum(CARD_STATUSES),
        chipUidMasked: z.string().optional(),
        issuedOn: campusDay,
      }),
    ),
  })
  .meta({ id: 'HolderAccount' });

/** The campus policy's numbers as they apply to this holder: the app shows these and checks forms with them; the server checks the same. */
export const holderPolicy = z
  .object({
    replacementFeeFen: balanceFen.meta({ description: 'What a replacement card costs this holder (temporary cards cost more)' }),
    selfReplacementMinBalanceFen: balanceFen.meta({ description: 'A kiosk replacement needs at least this balance (the fee is deducted)' }),
    defaultDailyLimitFen: balanceFen,
    maxDailyLimitFen: balanceFen.meta({ description: 'The most this holder may set as daily limit' }),
    onlineTopupMinFen: balanceFen,
    onlineTopupMaxFen: balanceFen,
    passwordLockMinutes: z.number().int().min(1).meta({ description: 'How long a password is locked after too many wrong attempts' }),
    smallWalletCapFen: balanceFen.meta({ description: 'The most the water-control small wallet holds between settlements' }),
  })
  .meta({ id: 'HolderPolicy' });

/** The holder's own account view: what staff see too, and the policy numbers the app shows. */
export const holderAccountView = holderAccount
  .extend({
    policy: holderPolicy,
    activeDeviceKey: z
      .object({
        keyId: z.number().int().min(1).max(2 ** 32 - 1),
        registeredAt: z.iso.datetime().optional().meta({ description: 'When that phone was bound (absent for keys registered before this was recorded)' }),
      })
      .optional()
      .meta({
        description:
          'The phone key that signs this account’s QR codes now. A phone whose own key is another has lost the code to a newer phone (registeredAt says when): it stops drawing codes, which would be refused (TOKEN_KEY_REVOKED)',
      }),
  })
  .meta({ id: 'HolderAccountView' });

export const ledgerEntryView = z
  .object({
    receiptNo: ulidString,
    type: movementType,
    amountFen: z.number().int().min(0),
    delta: signedPurses,
    after: pursesShape,
    channel: z.string(),
    merchantId: z.string().optional(),
    merchantName: z.string().optional(),
    terminalId: z.string().optional(),
    reason: z.string().optional(),
    refundOf: ulidString.optional(),
    guardianLabel: z.string().optional().meta({ description: 'A guardian deposit (or its refund): who paid, as the payer named themselves, e.g. 妈妈; `channel` says how they paid' }),
    trigger: z.enum(TOPUP_TRIGGERS).optional().meta({ description: 'A top-up the holder did not pay by hand: auto_reload, charged under their recurring-debit agreement (docs/auto-reload.md); `channel` says on which platform' }),
    createdAt: z.iso.datetime(),
    campusDay,
  })
  .meta({ id: 'LedgerEntry' });

export const getHolderAccount = defineRoute({
  operationId: 'getHolderAccount',
  method: 'GET',
  path: '/v1/holder/account',
  auth: 'holder',
  summary: "The holder's account: balances (account, transitional, small wallet), today's spending, cards, and the policy numbers the app shows",
  tags: ['holder'],
  response: holderAccountView,
  errors: ['ACCOUNT_NOT_FOUND'],
});

export const historyQuery = z
  .strictObject({
    from: campusDay.optional().meta({ description: 'First campus day (inclusive)' }),
    to: campusDay.optional().meta({ description: 'Last campus day (inclusive)' }),
    type: z
      .string()
      .transform((value) => value.split(','))
      .pipe(z.array(movementType).min(1))
      .optional()
      .meta({ description: 'Comma-separated movement types' }),
    cursor: ulidString.optional().meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { error: '"from" must not be after "to"', path: ['from'] });

export const listHolderLedger = defineRoute({
  operationId: 'listHolderLedger',
  method: 'GET',
  path: '/v1/holder/ledger',
  auth: 'holder',
  summary: 'Transaction history, newest first, by pages',
  tags: ['holder'],
  query: historyQuery,
  response: z.object({ entries: z.array(ledgerEntryView), nextCursor: ulidString.optional() }).meta({ id: 'LedgerPage' }),
  errors: [],
});

export const getHolderLedgerEntry = defineRoute({
  operationId: 'getHolderLedgerEntry',
  method: 'GET',
  path: '/v1/holder/ledger/{receiptNo}',
  auth: 'holder',
  summary: 'One transaction by its receipt number',
  tags: ['holder'],
  params: z.strictObject({ receiptNo: ulidString }),
  response: ledgerEntryView,
  errors: ['RECEIPT_NOT_FOUND'],
});

export const statementMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'a month is YYYY-MM' });

export const getHolderStatement = defineRoute({
  operationId: 'getHolderStatement',
  method: 'GET',
  path: '/v1/holder/statements/{month}',
  auth: 'holder',
  summary: 'Monthly totals: spending, top-ups, and each movement type',
  tags: ['holder'],
  params: z.strictObject({ month: statementMonth }),
  response: z
    .object({
      month: statementMonth,
      spendingFen: z.number().int().min(0),
      topupFen: z.number().int().min(0),
      refundFen: z.number().int().min(0),
      count: z.number().int().min(0),
      byType: z.array(z.object({ type: movementType, count: z.number().int().min(0), amountFen: z.number().int().min(0) })),
    })
    .meta({ id: 'MonthlyStatement' }),
  errors: [],
});

const base64url = (bytes: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`), { error: `${bytes} bytes, base64url without padding` });

export const registerDeviceKeyBody = z
  .strictObject({
    publicKey: base64url(32).meta({ description: 'The phone’s Ed25519 public key (raw 32 bytes)' }),
    proof: base64url(64).meta({
      description: 'Ed25519 signature by that key over "campus-ecard/device-key/v1\\n" + accountNo + "\\n" + publicKey: proves the phone holds the private key',
    }),
  })
  .meta({ id: 'RegisterDeviceKeyRequest' });

export const registerDeviceKey = defineRoute({
  operationId: 'registerDeviceKey',
  method: 'POST',
  path: '/v1/holder/device-keys',
  auth: 'holder',
  summary: 'Register this phone’s QR signing key (revokes the previous phone’s key)',
  tags: ['holder'],
  body: registerDeviceKeyBody,
  response: z
    .object({
      keyId: z.number().int().min(1).max(2 ** 32 - 1),
      serverTimeMs: z.number().int().meta({ description: 'For the app’s clock offset: QR codes are timed by the server clock' }),
    })
    .meta({ id: 'DeviceKeyRegistered' }),
  successStatus: 201,
  errors: ['DEVICE_KEY_PROOF_INVALID', 'ACCOUNT_NOT_FOUND', 'CARD_LOST', 'CARD_FROZEN', 'CARD_CANCELLED', 'BUSY_RETRY'],
});

export const issueDeviceKeySeedRoute = defineRoute({
  operationId: 'issueDeviceKeySeed',
  method: 'POST',
  path: '/v1/holder/device-keys/seed',
  auth: 'holder',
  summary: 'A one-time random seed for a phone with no secure random source (Alipay): mixed with the phone’s own entropy into its device key',
  description:
    'Only for a mini-program without crypto.getRandomValues or wx.getRandomValues, asked just before it makes its key. 32 bytes from the server’s CSPRNG, sent once and never stored or logged; the phone hashes them with its own entropy (docs/qr-token.md, "A phone without a secure random source"), so neither side alone knows the key. Cache-Control: no-store.',
  tags: ['holder'],
  response: z
    .object({ seed: base64url(32).meta({ description: '32 random bytes, base64url without padding' }) })
    .meta({ id: 'DeviceKeySeed' }),
  successStatus: 201,
  errors: [],
});
