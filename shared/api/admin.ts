/**
 * The card centre's admin API: staff sign in with their own credentials; every action says why and is
 * written to the audit log with who and when. ID numbers go in (to issue, to verify) but never come
 * out: answers carry masks only.
 */
import * as z from 'zod';
import { amountFen, balanceFen } from '../money';
import { MAX_DAILY_LIMIT_FEN } from '../limits';
import { ACTION_LOG_ACTIONS, AGREEMENT_CANCELLERS, CARD_STATUSES, CARD_TYPES, FINDING_KINDS, FINDING_RESOLUTIONS, FINDING_SOURCES, ID_TYPES, IMPORT_FILE_FORMATS, STAFF_ROLES } from '../vocabulary';
import { accountNo, campusDay, externalId, ulidString } from './common';
import { defineRoute, STAFF } from './contract';
import { holderAccount } from './holder';
import { replacementRequestView } from './lifecycle';
import { autoReloadView } from './auto-reload';

/** What every staff route can answer: its session ran out, or the caller's role may not (route layer). */
const SESSION = ['SESSION_EXPIRED', 'FORBIDDEN'] as const;

export const staffUsername = z.string().regex(/^[a-z][a-z0-9._-]{1,31}$/, { error: 'a username is 2 to 32 lower-case letters, digits, ".", "_" or "-"' });

/** Why the card centre did it, in the clerk's words: kept in the audit log, so never an ID number. */
export const actionReason = z
  .string()
  .trim()
  .min(2, { error: 'say why, in at least 2 characters' })
  .max(200)
  .refine((text) => !/\d{17}[\dXx]/.test(text), { error: 'a reason must not contain an ID number' })
  .meta({ description: 'Why (for the audit log). Never an ID number.' });

const MAX_CSV_BYTES = 1024 * 1024;
/** An import file's bytes may be up to MAX_CSV_BYTES (refused past that by the service with IMPORT_FILE_TOO_LARGE); this only bounds the base64 read at all. */
const MAX_IMPORT_FILE_BASE64 = 8 * MAX_CSV_BYTES;

export const createAdminSession = defineRoute({
  operationId: 'createAdminSession',
  method: 'POST',
  path: '/v1/admin/sessions',
  auth: 'none',
  summary: 'Card-centre staff sign-in: an admin session token for 8 hours',
  description: 'Five wrong passwords lock the staff account for 30 minutes. Wrong username and wrong password answer alike.',
  tags: ['admin'],
  body: z
    .strictObject({ username: staffUsername, password: z.string().min(1).max(200) })
    .meta({ id: 'AdminSignInRequest' }),
  response: z
    .object({ token: z.string(), expiresAt: z.iso.datetime(), username: z.string(), role: z.enum(STAFF_ROLES) })
    .meta({ id: 'AdminSession' }),
  successStatus: 201,
  errors: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'UNAUTHENTICATED', 'PASSWORD_LOCKED', 'DATABASE_UNAVAILABLE'],
});

export const importKind = z.enum(['registrar', 'hr']).meta({ description: 'registrar: students (and temporary cards); hr: staff, employees, family, temporary' });

export const importAccountsBody = z
  .strictObject({
    kind: importKind,
    csv: z
      .string()
      .min(1)
      .refine((text) => new TextEncoder().encode(text).length <= MAX_CSV_BYTES, { error: 'the CSV is larger than 1 MB: split it (re-importing is safe)' })
      .meta({
        description:
          'The list as CSV text (RFC 4180) with a header row: personId, name, cardType, idType (id_card | passport), idNumber, mobile, expiresOn (YYYY-MM-DD, temporary cards only). At most 1 MB and 1,000 rows. Send this or file. Its refusals are 400 VALIDATION_FAILED (as before file existed).',
      })
      .optional(),
    file: z
      .base64()
      .max(MAX_IMPORT_FILE_BASE64, { error: 'the file is far larger than 1 MB' })
      .optional()
      .meta({
        description:
          'The uploaded file’s bytes, base64: an Excel workbook (.xlsx, its first sheet) or CSV in UTF-8 (with or without BOM) or GBK, told apart by its bytes, not its name. Same columns and limits as csv. Send this or csv. Its refusals have their own codes (IMPORT_FILE_*, IMPORT_COLUMNS_MISSING, IMPORT_COLUMN_REPEATED, IMPORT_TOO_MANY_ROWS).',
      }),
    dryRun: z.boolean().optional().meta({ description: 'Preview: check every row and say what an import would do, writing nothing (no account, no action-log entry)' }),
    reason: actionReason.optional(),
  })
  .refine((body) => (body.csv === undefined) !== (body.file === undefined), { error: 'send the list as file (base64 bytes) or as csv (text): exactly one of them', path: ['file'] })
  .meta({ id: 'ImportAccountsRequest' });

export const importReport = z
  .object({
    importId: ulidString,
    rows: z.number().int().min(0),
    created: z.number().int().min(0),
    unchanged: z.number().int().min(0),
    updated: z.number().int().min(0),
    rejected: z.array(
      z.object({
        line: z.number().int().min(1).meta({ description: 'The row number as Excel shows it (the header is row 1); in a CSV without line breaks in cells, also its line' }),
        personId: z.string().optional(),
        reasons: z.array(z.string()).min(1).meta({ description: 'In English' }),
        reasonsZh: z.array(z.string()).min(1).meta({ description: 'The same reasons in Chinese, in the same order' }),
        values: z.record(z.string(), z.string()).optional().meta({ description: 'The row’s values by column, ID numbers and mobile numbers masked' }),
      }),
    ),
    accounts: z
      .array(
        z.object({
          line: z.number().int().min(1),
          personId: z.string(),
          accountNo: accountNo.optional().meta({ description: 'Absent only in a dry run, for an account the import would create' }),
          outcome: z.enum(['created', 'unchanged', 'updated']).meta({ description: 'unchanged: already imported with the same data (nothing written). In a dry run: what the import would do' }),
        }),
      )
      .meta({ description: 'The account of every accepted row (to print the cards)' }),
    dryRun: z.boolean().meta({ description: 'true: a preview; nothing was written and importId names nothing stored' }),
    format: z.enum(IMPORT_FILE_FORMATS).meta({ description: 'How the list was read: csv-text (the csv field), xlsx, csv-utf8, csv-utf8-bom or csv-gbk' }),
    rejectedCsv: z.string().meta({
      description:
        'The rejected rows as a CSV report for Excel (UTF-8 with BOM, CRLF): row number, the row’s values (ID and mobile numbers masked), the reasons in Chinese and English. Header only when nothing was rejected. Save it as a .csv file.',
    }),
  })
  .meta({ id: 'ImportReport' });

export const importAccounts = defineRoute({
  operationId: 'importAccounts',
  method: 'POST',
  path: '/v1/admin/imports',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Batch issue from the registrar’s or HR’s list (idempotent: re-importing a list changes nothing twice)',
  description:
    'Each valid row opens an account (balance 0, default passwords from the ID number). A person already issued is unchanged, or updated for name, mobile and expiry only; never a balance. Rejected rows come back with their row number and reasons (zh and en), and as a CSV report. dryRun previews the same answer, writing nothing. The list comes as csv (text) or file (base64 .xlsx or CSV in UTF-8 or GBK).',
  tags: ['admin'],
  body: importAccountsBody,
  response: importReport,
  errors: [...SESSION, 'BUSY_RETRY', 'IMPORT_FILE_UNREADABLE', 'IMPORT_FILE_EMPTY', 'IMPORT_FILE_TOO_LARGE', 'IMPORT_TOO_MANY_ROWS', 'IMPORT_COLUMNS_MISSING', 'IMPORT_COLUMN_REPEATED'],
});

export const issueAccountBody = z
  .strictObject({
    personId: z.string().max(64),
    name: z.string().max(200),
    cardType: z.enum(CARD_TYPES),
    idType: z.enum(ID_TYPES),
    idNumber: z.string().max(64).meta({ description: 'Checked and then kept only as a mask and a keyed digest' }),
    mobile: z.string().max(32),
    expiresOn: campusDay.optional().meta({ description: 'Temporary cards only: within policy.temporaryCardMaxDays' }),
    reason: actionReason.optional(),
  })
  .meta({ id: 'IssueAccountRequest' });

export const issueAccount = defineRoute({
  operationId: 'issueAccount',
  method: 'POST',
  path: '/v1/admin/accounts',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Issue one account at the card centre (the same rules as an import row)',
  description: '201 when the account is opened; 200 when this person already had it (unchanged, or updated for name, mobile and expiry).',
  tags: ['admin'],
  body: issueAccountBody,
  response: z
    .object({ outcome: z.enum(['created', 'unchanged', 'updated']), accountNo, personId: z.string() })
    .meta({ id: 'AccountIssued' }),
  successStatus: 201,
  errors: [...SESSION, 'PERSON_ID_CONFLICT', 'BUSY_RETRY'],
});

const accountParams = z.strictObject({ accountNo });

/** What the holder sees of the account, plus identity as masks, password states and the opening date. */
export const adminAccount = holderAccount
  .extend({
    idType: z.enum(ID_TYPES).optional(),
    idNumberMasked: z.string().optional().meta({ description: 'Never the full number' }),
    mobileMasked: z.string().optional(),
    bankCardNoMasked: z.string().optional(),
    passwords: z.array(
      z.object({
        kind: z.enum(['query', 'consumption']),
        set: z.boolean(),
        isDefault: z.boolean().optional(),
        lockedUntil: z.iso.datetime().optional(),
      }),
    ),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AdminAccount' });

export const getAdminAccount = defineRoute({
  operationId: 'getAdminAccount',
  method: 'GET',
  path: '/v1/admin/accounts/{accountNo}',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'An account as the card centre sees it (identity masked; the look is audited)',
  tags: ['admin'],
  params: accountParams,
  response: adminAccount,
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND'],
});

/** A physical card's chip UID as staff type or scan it; stored upper-case. */
const chipUid = z
  .string()
  .regex(/^[0-9A-Fa-f]{8,20}$/, { error: 'a chip UID is 8 to 20 hexadecimal digits' })
  .transform((uid) => uid.toUpperCase());

export const listReplacementRequests = defineRoute({
  operationId: 'listReplacementRequests',
  method: 'GET',
  path: '/v1/admin/card-replacements',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'Open replacement requests from the app, oldest first (cards to prepare)',
  tags: ['admin'],
  response: z.object({ requests: z.array(replacementRequestView) }).meta({ id: 'ReplacementRequestList' }),
  errors: [...SESSION],
});

export const issueReplacement = defineRoute({
  operationId: 'issueReplacementCard',
  method: 'POST',
  path: '/v1/admin/accounts/{accountNo}/card-replacement',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Hand over the replacement card for an open request: fee deducted, old card void at once, new card active',
  tags: ['admin'],
  params: accountParams,
  body: z
    .strictObject({
      chipUid,
      reason: actionReason.optional(),
    })
    .meta({ id: 'IssueReplacementRequest' }),
  response: replacementRequestView,
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'REPLACEMENT_NOT_REQUESTED', 'INSUFFICIENT_BALANCE', 'CARD_UID_TAKEN', 'CARD_CANCELLED', 'BUSY_RETRY'],
});

export const issuePhysicalCard = defineRoute({
  operationId: 'issuePhysicalCard',
  method: 'POST',
  path: '/v1/admin/accounts/{accountNo}/cards',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Issue the physical card (CPU or M1) of an account that has none',
  tags: ['admin'],
  params: accountParams,
  body: z
    .strictObject({
      kind: z.enum(['cpu', 'm1']),
      chipUid,
      reason: actionReason.optional(),
    })
    .meta({ id: 'IssueCardRequest' }),
  response: z
    .object({ cardId: z.string(), kind: z.enum(['cpu', 'm1']), status: z.enum(CARD_STATUSES), chipUidMasked: z.string(), issuedOn: campusDay })
    .meta({ id: 'CardIssued' }),
  successStatus: 201,
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'CARD_CANCELLED', 'CARD_UID_TAKEN', 'CARD_ALREADY_ISSUED'],
});

export const resetPassword = defineRoute({
  operationId: 'resetPassword',
  method: 'POST',
  path: '/v1/admin/accounts/{accountNo}/password-resets',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Reset a forgotten password to the ID-number default (the holder shows the ID card)',
  description: 'The ID number given must match the one on file (keyed digest). The lockout is cleared and the holder must change the default.',
  tags: ['admin'],
  params: accountParams,
  body: z
    .strictObject({ kind: z.enum(['query', 'consumption']), idNumber: z.string().min(1).max(64), reason: actionReason })
    .meta({ id: 'AdminPasswordResetRequest' }),
  response: z.object({ kind: z.enum(['query', 'consumption']), isDefault: z.literal(true), changedAt: z.iso.datetime() }).meta({ id: 'AdminPasswordReset' }),
  successStatus: 201,
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'CARD_CANCELLED', 'IDENTITY_MISMATCH', 'IDENTITY_NOT_ON_FILE'],
});

export const unfreezeAccount = defineRoute({
  operationId: 'unfreezeAccount',
  method: 'POST',
  path: '/v1/admin/accounts/{accountNo}/unfreeze',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Unfreeze a frozen or lost account after reconciliation (a replaced card stays replaced)',
  tags: ['admin'],
  params: accountParams,
  body: z.strictObject({ reason: actionReason }).meta({ id: 'AdminUnfreezeRequest' }),
  response: z.object({ accountNo, status: z.literal('active'), previousStatus: z.enum(['frozen', 'lost']) }).meta({ id: 'AccountUnfrozen' }),
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FROZEN', 'CARD_CANCELLED', 'BUSY_RETRY'],
});

/** The holder's automatic reload as the card centre sees it (issue 18 item 2; docs/auto-reload.md "At the card centre"). */
export const adminAutoReload = autoReloadView
  .extend({
    agreementCode: z.string().nullable().describe('Our code for the agreement at the platform (WeChat out_contract_code, Alipay external_agreement_no): what to quote to the platform'),
    createdAt: z.iso.datetime().nullable().describe('When the signing was started'),
    signedAt: z.iso.datetime().nullable().describe('When the platform said it was signed'),
    cancelledAt: z.iso.datetime().nullable(),
    cancelledBy: z.enum(AGREEMENT_CANCELLERS).nullable().describe('holder: in the app; platform: ended at WeChat Pay / Alipay; card_centre: by staff (the action log says who and why)'),
  })
  .meta({ id: 'AdminAutoReload' });

export const getAdminAutoReload = defineRoute({
  operationId: 'getAdminAutoReload',
  method: 'GET',
  path: '/v1/admin/accounts/{accountNo}/auto-reload',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'The account’s automatic reload: status, channel, threshold, amount, reloads today, signed and cancelled (when, by whom)',
  tags: ['admin'],
  params: accountParams,
  response: adminAutoReload,
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND'],
});

export const cancelAdminAutoReload = defineRoute({
  operationId: 'cancelAdminAutoReload',
  method: 'DELETE',
  path: '/v1/admin/accounts/{accountNo}/auto-reload',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'End the holder’s automatic reload on their call: at the platform first, then here (cancelledBy card_centre; logged with the reason)',
  description: 'The same path as the holder’s own cancel. The platform unreachable: PAYMENT_CHANNEL_UNAVAILABLE and nothing changed here (try again). Ended meanwhile by the holder: answered as it is now, nothing logged.',
  tags: ['admin'],
  params: accountParams,
  body: z.strictObject({ reason: actionReason }).meta({ id: 'AdminCancelAutoReloadRequest' }),
  response: adminAutoReload,
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'AUTO_RELOAD_NOT_SIGNED', 'AUTO_RELOAD_CHANNEL_UNSUPPORTED', 'PAYMENT_CHANNEL_UNAVAILABLE'],
});

export const adjustBalance = defineRoute({
  operationId: 'adjustBalance',
  method: 'POST',
  path: '/v1/admin/accounts/{accountNo}/adjustments',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Adjust the balance with a reason (a ledger movement; idempotent on adjustmentId)',
  tags: ['admin'],
  params: accountParams,
  body: z
    .strictObject({ direction: z.enum(['credit', 'debit']), amountFen, reason: actionReason, adjustmentId: externalId })
    .meta({ id: 'AdminAdjustmentRequest' }),
  response: z
    .object({ receiptNo: ulidString, direction: z.enum(['credit', 'debit']), amountFen, balanceFen, replayed: z.boolean() })
    .meta({ id: 'AdjustmentPosted' }),
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'INSUFFICIENT_BALANCE', 'CARD_CANCELLED', 'INVALID_AMOUNT', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'],
});

export const releaseTransitional = defineRoute({
  operationId: 'releaseTransitional',
  method: 'POST',
  path: '/v1/admin/accounts/{accountNo}/transitional-releases',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Move transitional balance that has no CPU card to wait for into the balance (all of it; idempotent on releaseId)',
  description:
    'For money credited as transitional before the account lost its CPU card. While the account has a CPU card, even a lost one, the money waits for that card or its replacement (TRANSITIONAL_WAITS_FOR_CARD); a replacement by an M1 card releases it by itself.',
  tags: ['admin'],
  params: accountParams,
  body: z.strictObject({ releaseId: externalId, reason: actionReason }).meta({ id: 'AdminTransitionalReleaseRequest' }),
  response: z
    .object({ receiptNo: ulidString, releasedFen: balanceFen, balanceFen, transitionalFen: balanceFen, replayed: z.boolean() })
    .meta({ id: 'TransitionalReleased' }),
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'TRANSITIONAL_WAITS_FOR_CARD', 'NOTHING_TO_RELEASE', 'CARD_CANCELLED', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'],
});

export const levelAccount = defineRoute({
  operationId: 'levelAccount',
  method: 'POST',
  path: '/v1/admin/accounts/{accountNo}/levellings',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Level the account to its card after reconciliation: the chip balance read at the counter becomes the basis (idempotent on levellingId)',
  description:
    'Card spending the chip has and the database lacks (offline records not uploaded) is taken from the balance; a chip holding more than it should is believed. Offline records of this card from before the levelling are recognised as already reflected when they arrive, never deducted again. QR payments never touch the chip and are not levelled.',
  tags: ['admin'],
  params: accountParams,
  body: z
    .strictObject({ levellingId: externalId, chipBalanceFen: balanceFen.meta({ description: 'What the card reader shows the chip holds' }), reason: actionReason })
    .meta({ id: 'AdminLevellingRequest' }),
  response: z
    .object({ receiptNo: ulidString, direction: z.enum(['debit', 'credit', 'none']), amountFen: balanceFen, balanceFen, levelledAt: z.iso.datetime(), replayed: z.boolean() })
    .meta({ id: 'AccountLevelled' }),
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'NO_PHYSICAL_CARD', 'CARD_CANCELLED', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'],
});

export const TERMINATION_REASONS = ['graduated', 'left', 'violation', 'deceased', 'holder_request'] as const;

export const terminateAccount = defineRoute({
  operationId: 'terminateAccount',
  method: 'POST',
  path: '/v1/admin/accounts/{accountNo}/terminations',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Close the account and refund everything it holds (bank card on file, or cash)',
  description: 'Force termination for graduates, leavers, violators and deceased persons, or at the holder’s request. Idempotent on cancellationId.',
  tags: ['admin'],
  params: accountParams,
  body: z
    .strictObject({
      reason: z.enum(TERMINATION_REASONS),
      destination: z.enum(['bank_card', 'cash']),
      cancellationId: externalId,
      note: actionReason.optional(),
    })
    .meta({ id: 'AdminTerminationRequest' }),
  response: z
    .object({
      receiptNo: ulidString,
      refundFen: balanceFen.meta({ description: 'Refunded now' }),
      heldBackFen: balanceFen.meta({ description: 'Kept for payments offline terminals took before the closing; refunded to the same destination once their bundles have expired' }),
      holdbackUntil: z.iso.datetime().optional(),
      destination: z.enum(['bank_card', 'cash']),
      bankCardNoMasked: z.string().optional(),
      status: z.literal('cancelled'),
      replayed: z.boolean(),
    })
    .meta({ id: 'AccountTerminated' }),
  successStatus: 201,
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'CARD_CANCELLED', 'BANK_CARD_NOT_BOUND', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'],
});

const fen = (max: number) => z.number().int().min(0).max(max);

export const campusPolicy = z
  .strictObject({
    idNumberX: z.enum(['drop', 'replace']).meta({ description: 'Default passwords from an ID number ending in X: drop the X, or count it as 1' }),
    unfreezeInApp: z.boolean(),
    replacementFeeFen: fen(10_000),
    temporaryReplacementFeeFen: fen(10_000),
    selfReplacementMinBalanceFen: fen(100_000),
    defaultDailyLimitFen: fen(MAX_DAILY_LIMIT_FEN),
    maxDailyLimitFen: fen(MAX_DAILY_LIMIT_FEN),
    temporaryCardMaxDays: z.number().int().min(1).max(365),
    disputeWindowDays: z.number().int().min(1).max(365).meta({ description: 'A holder may dispute a payment in the app for this many days after it' }),
    guardianDailyCapFen: fen(1_000_000).meta({ description: 'Guardian deposits: what one payer may deposit for others per campus day' }),
    autoReloadMinAmountFen: fen(100_000).meta({ description: 'Automatic reload: the least a holder may set as the reload amount' }),
    autoReloadMaxAmountFen: fen(100_000).meta({ description: 'Automatic reload: the most a holder may set as the reload amount' }),
    autoReloadMaxThresholdFen: fen(100_000).meta({ description: 'Automatic reload: the highest low-balance threshold that triggers it' }),
    autoReloadDailyMax: z.number().int().min(0).max(10).meta({ description: 'Automatic reload: reloads per account per campus day (0: none)' }),
  })
  .refine((policy) => policy.defaultDailyLimitFen <= policy.maxDailyLimitFen, { error: 'the default daily limit must not exceed the maximum', path: ['defaultDailyLimitFen'] })
  .meta({ id: 'CampusPolicy' });

/** The settings with, when asked for (?include=defaults), what each is when the card centre never set it. */
export const campusPolicyAnswer = z
  .strictObject({ ...campusPolicy.shape, defaults: campusPolicy.optional().meta({ description: 'Only with include=defaults: every setting as the platform ships it' }) })
  .meta({ id: 'CampusPolicyAnswer' });

export const getCampusPolicy = defineRoute({
  operationId: 'getCampusPolicy',
  method: 'GET',
  path: '/v1/admin/policy',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'The campus policy settings (and, with include=defaults, their defaults)',
  description: 'Without include the answer is the settings alone, as PUT takes them back.',
  tags: ['admin'],
  query: z.strictObject({ include: z.literal('defaults').optional().meta({ description: 'defaults: add `defaults`, the value of every setting the card centre has not changed' }) }),
  response: campusPolicyAnswer,
  errors: [...SESSION],
});

export const putCampusPolicy = defineRoute({
  operationId: 'putCampusPolicy',
  method: 'PUT',
  path: '/v1/admin/policy',
  auth: 'admin',
  roles: STAFF.administrator,
  summary: 'Replace the campus policy settings (supervisors only)',
  tags: ['admin'],
  body: z.strictObject({ policy: campusPolicy, reason: actionReason }).meta({ id: 'PutPolicyRequest' }),
  response: campusPolicy,
  errors: [...SESSION],
});

export const auditEntryView = z
  .object({
    auditId: ulidString,
    at: z.iso.datetime(),
    who: z.string(),
    role: z.enum(STAFF_ROLES),
    action: z.enum(ACTION_LOG_ACTIONS),
    target: z.string(),
    reason: z.string(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
  })
  .meta({ id: 'AuditEntry' });

export const listAuditLog = defineRoute({
  operationId: 'listAuditLog',
  method: 'GET',
  path: '/v1/admin/audit',
  auth: 'admin',
  roles: STAFF.oversight,
  summary: 'A campus day’s admin actions, oldest first, by pages (supervisors only)',
  tags: ['admin'],
  query: z.strictObject({
    day: campusDay.meta({ description: 'Campus day (Asia/Shanghai)' }),
    cursor: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9A-HJKMNP-TV-Z]{26}$/, { error: 'not a cursor' })
      .optional()
      .meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  response: z.object({ day: campusDay, entries: z.array(auditEntryView), nextCursor: z.string().optional() }).meta({ id: 'AuditPage' }),
  errors: [...SESSION],
});

export const findingId = z.string().regex(/^F[a-z2-7]{26}$/, { error: 'not a finding id' });

/** One difference between an outside record (a platform's bill; later the bank's statement, offline records) and ours. */
export const reconciliationFindingView = z
  .object({
    findingId,
    source: z.enum(FINDING_SOURCES).meta({ description: 'The outside record it was checked against' }),
    kind: z.enum(FINDING_KINDS),
    day: campusDay.meta({ description: 'The campus day of the outside record (the bill)' }),
    channel: z.string().optional(),
    ref: z.string().meta({ description: 'What it is about there: a platform transaction id, or <txn>/<refund number>' }),
    orderId: z.string().optional(),
    accountNo: accountNo.optional(),
    outsideFen: z.number().int().optional().meta({ description: 'What the outside record says, fen' }),
    oursFen: z.number().int().optional().meta({ description: 'What we have, fen' }),
    detail: z.string(),
    status: z.enum(['open', 'resolved']),
    createdAt: z.iso.datetime(),
    resolution: z
      .object({ resolution: z.enum(FINDING_RESOLUTIONS), reason: z.string(), by: z.string(), at: z.iso.datetime() })
      .optional(),
  })
  .meta({ id: 'ReconciliationFinding' });

export const listReconciliationFindings = defineRoute({
  operationId: 'listReconciliationFindings',
  method: 'GET',
  path: '/v1/admin/reconciliation-findings',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'The reconciliation queue: open findings, oldest first, by pages',
  tags: ['admin'],
  query: z.strictObject({
    cursor: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#F[a-z2-7]{26}$/, { error: 'not a cursor' })
      .optional()
      .meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  }),
  response: z.object({ findings: z.array(reconciliationFindingView), nextCursor: z.string().optional() }).meta({ id: 'ReconciliationFindingPage' }),
  errors: [...SESSION],
});

export const resolveReconciliationFinding = defineRoute({
  operationId: 'resolveReconciliationFinding',
  method: 'POST',
  path: '/v1/admin/reconciliation-findings/{findingId}/resolution',
  auth: 'admin',
  roles: STAFF.resolvers,
  summary: 'Resolve an open finding: what the card centre did about it (audited; it leaves the queue)',
  description:
    'adjusted: an adjustment was posted for it; refunded: the money went back to the payer; no_action: nothing was owed. The money itself moves by its own action (an adjustment, a refund): this records the decision.',
  tags: ['admin'],
  params: z.strictObject({ findingId }),
  body: z.strictObject({ resolution: z.enum(FINDING_RESOLUTIONS), reason: actionReason }).meta({ id: 'ResolveFindingRequest' }),
  response: reconciliationFindingView,
  errors: [...SESSION, 'FINDING_NOT_FOUND', 'FINDING_ALREADY_RESOLVED'],
});
