/**
 * What the card-centre console needs besides the admin API's actions: finding an account, the
 * dashboard's figures, and the administrator's staff list. Staff routes, each with its roles.
 */
import * as z from 'zod';
import { balanceFen } from '../money';
import { ACCOUNT_STATUSES, CARD_KINDS, FINDING_SOURCES, STAFF_ROLES } from '../vocabulary';
import { accountNo, campusDay, ulidString } from './common';
import { historyQuery, ledgerEntryView } from './holder';
import { defineRoute, STAFF } from './contract';
import { actionReason, auditEntryView, findingId, staffUsername } from './admin';

/** What every staff route can answer: its session ran out, or the caller's role may not (route layer). */
const SESSION = ['SESSION_EXPIRED', 'FORBIDDEN'] as const;

/** At most this many accounts per search: a clerk narrows the query rather than pages through holders. */
export const ACCOUNT_SEARCH_LIMIT = 20;

export const accountSearchQuery = z
  .strictObject({
    query: z
      .string()
      .trim()
      .min(1, { error: 'type something to search for' })
      .max(64)
      .meta({ description: 'An account number, a student/staff id, a name or its beginning, a chip UID, or the last 4 digits of the mobile' }),
  })
  .meta({ id: 'AccountSearchQuery' });

export const ACCOUNT_SEARCH_MATCHES = ['account_no', 'person_id', 'name', 'chip_uid', 'mobile_last4'] as const;

export const accountSearchResult = z
  .object({
    accountNo,
    holderNameMasked: z.string().meta({ description: 'The name masked (张*三), as on a receipt' }),
    personId: z.string(),
    status: z.enum(ACCOUNT_STATUSES),
    balanceFen,
    matchedBy: z.array(z.enum(ACCOUNT_SEARCH_MATCHES)).meta({ description: 'What the query matched of this account' }),
  })
  .meta({ id: 'AccountSearchResult' });

export const searchAccountsRoute = defineRoute({
  operationId: 'searchAccounts',
  method: 'GET',
  path: '/v1/admin/accounts',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'Find accounts by account number, student/staff id, name (exact or its beginning), chip UID or the mobile’s last 4 digits',
  description: `At most ${ACCOUNT_SEARCH_LIMIT} accounts, exact matches (number, id, chip) first, then by name. Names are masked; open the account for the rest.`,
  tags: ['admin'],
  query: accountSearchQuery,
  response: z.object({ accounts: z.array(accountSearchResult), truncated: z.boolean() }).meta({ id: 'AccountSearch' }),
  errors: [...SESSION],
});

/** A terminal counts as online if it signed a request within this many minutes. */
export const TERMINAL_ONLINE_MINUTES = 5;

const channelAmount = z.object({ channel: z.enum(['wechat', 'alipay', 'bank', 'cash_desk']), amountFen: balanceFen, count: z.number().int().nonnegative() });

export const dashboard = z
  .object({
    campusDay,
    asOf: z.iso.datetime(),
    turnover: z
      .object({
        paymentsFen: balanceFen.meta({ description: 'Purchases, utility payments and water paid to merchants today' }),
        refundsFen: balanceFen,
        netFen: z.number().int(),
        count: z.number().int().nonnegative(),
        byMerchant: z.array(z.object({ merchantId: z.string(), name: z.string(), paymentsFen: balanceFen, refundsFen: balanceFen, count: z.number().int().nonnegative() })),
      })
      .meta({ description: 'Payments to merchants today (entries of the last moments may be missing: the day indexes are eventually consistent)' }),
    topups: z.object({ totalFen: balanceFen, count: z.number().int().nonnegative(), byChannel: z.array(channelAmount) }),
    terminals: z.object({
      online: z.number().int().nonnegative(),
      offline: z.number().int().nonnegative(),
      onlineWithinMinutes: z.number().int(),
      disabled: z.number().int().nonnegative(),
      pendingActivation: z.number().int().nonnegative(),
    }),
    frozenAccounts: z.number().int().nonnegative(),
    openFindings: z.number().int().nonnegative(),
  })
  .meta({ id: 'Dashboard' });

export const getDashboardRoute = defineRoute({
  operationId: 'getDashboard',
  method: 'GET',
  path: '/v1/admin/dashboard',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'Today’s figures: turnover, top-ups by channel, terminals online and offline, frozen accounts, open findings',
  description: `A terminal is online if it signed a request in the last ${TERMINAL_ONLINE_MINUTES} minutes (its last sight is recorded at most once a minute).`,
  tags: ['admin'],
  response: dashboard,
  errors: [...SESSION],
});

export const staffView = z
  .object({ username: z.string(), role: z.enum(STAFF_ROLES), status: z.enum(['active', 'disabled']), createdAt: z.iso.datetime() })
  .meta({ id: 'StaffMember' });

export const createStaffBody = z
  .strictObject({
    username: staffUsername,
    role: z.enum(STAFF_ROLES),
    password: z.string().min(1).max(256).meta({ description: 'The first password, told to the person: at least 10 characters, 4 different, not containing the username' }),
    reason: actionReason,
  })
  .meta({ id: 'CreateStaffRequest' });

export const createStaffRoute = defineRoute({
  operationId: 'createStaff',
  method: 'POST',
  path: '/v1/admin/staff',
  auth: 'admin',
  roles: STAFF.administrator,
  summary: 'Create a staff member with a role (administrators; audited)',
  tags: ['admin'],
  body: createStaffBody,
  response: staffView,
  successStatus: 201,
  errors: [...SESSION, 'STAFF_EXISTS', 'STAFF_PASSWORD_WEAK'],
});

export const listStaffRoute = defineRoute({
  operationId: 'listStaff',
  method: 'GET',
  path: '/v1/admin/staff',
  auth: 'admin',
  roles: STAFF.oversight,
  summary: 'The card centre’s staff, by username (administrators and auditors)',
  tags: ['admin'],
  response: z.object({ staff: z.array(staffView) }).meta({ id: 'StaffList' }),
  errors: [...SESSION],
});

export const disableStaffRoute = defineRoute({
  operationId: 'disableStaff',
  method: 'POST',
  path: '/v1/admin/staff/{username}/disable',
  auth: 'admin',
  roles: STAFF.administrator,
  summary: 'Disable a staff member: their sessions stop working at once (administrators; audited)',
  tags: ['admin'],
  params: z.strictObject({ username: staffUsername }),
  body: z.strictObject({ reason: actionReason }).meta({ id: 'DisableStaffRequest' }),
  response: staffView,
  errors: [...SESSION, 'STAFF_NOT_FOUND', 'STAFF_ALREADY_DISABLED', 'STAFF_DISABLE_SELF'],
});


/** A ledger entry as card staff see it: the holder's view, and who posted it (a staff member or a kiosk terminal). */
export const adminLedgerEntryView = ledgerEntryView
  .extend({ operator: z.string().optional().meta({ description: 'Who posted it: a staff username, or the terminal id of a kiosk' }) })
  .meta({ id: 'AdminLedgerEntry' });

export const listAccountLedgerRoute = defineRoute({
  operationId: 'listAccountLedger',
  method: 'GET',
  path: '/v1/admin/accounts/{accountNo}/ledger',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'An account’s ledger, newest first, by pages: filter by movement types and campus days',
  description: 'The entries the holder sees in their history, with the operator or terminal and the receipt number of each.',
  tags: ['admin'],
  params: z.strictObject({ accountNo }),
  query: historyQuery,
  response: z.object({ accountNo, entries: z.array(adminLedgerEntryView), nextCursor: ulidString.optional() }).meta({ id: 'AdminLedgerPage' }),
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND'],
});

export const reportLossAtCounterRoute = defineRoute({
  operationId: 'reportLossAtCounter',
  method: 'POST',
  path: '/v1/admin/accounts/{accountNo}/loss',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Report the card lost at the counter: the holder is there and staff checked who they are (no password; audited)',
  description: 'The holder’s own loss rule: an active account and its card lost at once, everywhere and on the offline blacklist. Already lost: changed false, nothing logged.',
  tags: ['admin'],
  params: z.strictObject({ accountNo }),
  body: z.strictObject({ reason: actionReason }).meta({ id: 'AdminLossRequest' }),
  response: z.object({ accountNo, status: z.literal('lost'), changed: z.boolean() }).meta({ id: 'AccountReportedLost' }),
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND', 'CARD_FROZEN', 'CARD_CANCELLED', 'BUSY_RETRY'],
});

/**
 * Who made a change in an account's history: a staff username, `holder` (the holder themself, in the
 * mini-program or at a kiosk), `system` (a terminal's finding or a scheduled run), or `unrecorded`
 * (a change stored before who was kept: see docs/console-api.md).
 */
export const historyActor = z.string().meta({ description: 'A staff username, holder, system, or unrecorded (stored before who was kept)' });

export const CARD_HISTORY_EVENTS = ['issued', 'lost', 'found', 'replaced', 'cancelled'] as const;

export const accountStatusChangeView = z
  .object({
    at: z.iso.datetime(),
    from: z.enum(ACCOUNT_STATUSES).optional().meta({ description: 'Absent for the first change logged' }),
    to: z.enum(ACCOUNT_STATUSES),
    by: historyActor,
    reason: z.string().optional().meta({ description: 'The staff member’s reason, or a code (card_database_mismatch, offline_insufficient_balance...)' }),
  })
  .meta({ id: 'AccountStatusChange' });

export const cardHistoryEventView = z
  .object({
    cardId: z.string(),
    chipUid: z.string().optional().meta({ description: 'Physical cards only' }),
    kind: z.enum(CARD_KINDS),
    event: z.enum(CARD_HISTORY_EVENTS).meta({ description: 'found: a lost card active again (unfreeze, or the loss undone)' }),
    at: z.iso.datetime(),
    by: historyActor,
    reason: z.string().optional(),
    feeFen: balanceFen.optional().meta({ description: 'A replacement: the fee charged for the new card' }),
  })
  .meta({ id: 'CardHistoryEvent' });

export const deviceKeyHistoryView = z
  .object({
    keyId: z.number().int().positive(),
    registeredAt: z.iso.datetime(),
    status: z.enum(['active', 'revoked']),
    revokedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'DeviceKeyHistory' });

/** At most this many of the account's action-log entries in its history (newest first). */
export const ACCOUNT_HISTORY_ACTIONS_LIMIT = 100;

export const accountHistory = z
  .object({
    accountNo,
    status: z.array(accountStatusChangeView).meta({ description: 'Newest first' }),
    cards: z.array(cardHistoryEventView).meta({ description: 'Every card’s events, newest first' }),
    deviceKeys: z.array(deviceKeyHistoryView).meta({ description: 'The phone keys for the QR code, newest first' }),
    actions: z.array(auditEntryView).meta({ description: `The card centre’s actions on this account, newest first (at most ${ACCOUNT_HISTORY_ACTIONS_LIMIT})` }),
  })
  .meta({ id: 'AccountHistory' });

export const getAccountHistoryRoute = defineRoute({
  operationId: 'getAccountHistory',
  method: 'GET',
  path: '/v1/admin/accounts/{accountNo}/history',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'An account’s history: its status changes, its cards’ events, its device keys and the staff actions on it, each with who and when',
  description: 'Newest first. Changes stored before who was kept say by: unrecorded; device keys revoked before the per-account index existed are missing.',
  tags: ['admin'],
  params: z.strictObject({ accountNo }),
  response: accountHistory,
  errors: [...SESSION, 'ACCOUNT_NOT_FOUND'],
});

export const RECONCILIATION_QUEUE_KINDS = ['frozen_account', 'held_offline', 'finding', 'stuck_pending'] as const;

/**
 * What resolves a queue item: `unfreeze_account`, `resolve_offline_hold` (approve or reject a held
 * offline record: POST /v1/admin/offline-holds/{id}/resolution) and `resolve_finding` are admin routes (route);
 * `run_reconciler` is a scheduled run also started by hand (script); `await_card_tap`: a card load
 * only the card's next tap can settle.
 */
export const QUEUE_RESOLVE_ACTIONS = ['unfreeze_account', 'resolve_offline_hold', 'resolve_finding', 'run_reconciler', 'await_card_tap'] as const;

/** The pending-transfer kinds (functions/domain/pending.ts PENDING_KINDS). */
export const QUEUE_PENDING_KINDS = ['topup_order', 'bank_transfer', 'card_load', 'small_wallet_preload', 'utility_delivery', 'payment_code'] as const;

export const reconciliationQueueItem = z
  .object({
    kind: z.enum(RECONCILIATION_QUEUE_KINDS),
    id: z.string().meta({ description: 'frozen_account: the account number; held_offline and finding: the finding id; stuck_pending: the pending transfer’s id' }),
    accountNo: accountNo.optional(),
    at: z.iso.datetime().meta({ description: 'Since when: frozen at, held (received) at, found at, or the pending transfer’s timeout' }),
    amountFen: z.number().int().optional(),
    why: z.string().meta({
      description:
        'A code: frozen_account the freeze’s reason (card_database_mismatch, offline_insufficient_balance, unrecorded); held_offline the hold reason (card_lost, insufficient_balance...); finding its kind; stuck_pending the pending kind',
    }),
    detail: z.string().optional().meta({ description: 'A finding’s own text (English)' }),
    source: z.enum(FINDING_SOURCES).optional().meta({ description: 'held_offline and finding: who found it' }),
    pendingKind: z.enum(QUEUE_PENDING_KINDS).optional(),
    ref: z.string().optional().meta({ description: 'What it is about outside: <terminal>/<record> of an offline record, a platform transaction...' }),
    resolve: z.object({
      action: z.enum(QUEUE_RESOLVE_ACTIONS),
      route: z.string().optional().meta({ description: 'The audited admin route that resolves it, its path filled in (POST)' }),
      script: z.string().optional().meta({ description: 'The npm script of the scheduled run that settles it, to start by hand' }),
    }),
  })
  .meta({ id: 'ReconciliationQueueItem' });

export const reconciliationQueueCursor = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|(frozen_account|held_offline|finding|stuck_pending)\|[!-{}~]{1,200}$/, { error: 'not a cursor' })
  .meta({ description: 'nextCursor of the previous page' });

export const reconciliationQueueQuery = z
  .strictObject({
    kind: z.enum(RECONCILIATION_QUEUE_KINDS).optional().meta({ description: 'Only this kind' }),
    cursor: reconciliationQueueCursor.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .meta({ id: 'ReconciliationQueueQuery' });

const count = z.number().int().nonnegative();

export const reconciliationQueue = z
  .object({
    items: z.array(reconciliationQueueItem).meta({ description: 'Oldest first' }),
    counts: z.object({ frozen_account: count, held_offline: count, finding: count, stuck_pending: count }).meta({ description: 'Every item of each kind, whatever the page' }),
    findingsBySource: z.partialRecord(z.enum(FINDING_SOURCES), count).meta({ description: 'Open findings (held offline records included) by source' }),
    stuckPendingByKind: z.partialRecord(z.enum(QUEUE_PENDING_KINDS), count),
    openDisputes: count.optional().meta({ description: 'Holders’ disputes waiting for a decision (GET /v1/admin/disputes; not items of this queue)' }),
    nextCursor: reconciliationQueueCursor.optional(),
  })
  .meta({ id: 'ReconciliationQueue' });

export const getReconciliationQueueRoute = defineRoute({
  operationId: 'getReconciliationQueue',
  method: 'GET',
  path: '/v1/admin/reconciliation-queue',
  auth: 'admin',
  roles: STAFF.readers,
  summary: 'What needs a person: frozen accounts, held offline records, open findings, pending transfers past their timeout; each with what resolves it',
  description:
    'One list, oldest first, by pages, with counts per kind. Frozen accounts are resolved by the unfreeze route, held offline records by the offline-hold resolution (approve: charged now; reject: never charged), findings by the finding resolution route, stuck pending transfers by their reconciler (a scheduled run; its npm script).',
  tags: ['admin'],
  query: reconciliationQueueQuery,
  response: reconciliationQueue,
  errors: [...SESSION],
});

export const OFFLINE_HOLD_DECISIONS = ['approve', 'reject'] as const;

export const resolveOfflineHoldRoute = defineRoute({
  operationId: 'resolveOfflineHold',
  method: 'POST',
  path: '/v1/admin/offline-holds/{id}/resolution',
  auth: 'admin',
  roles: STAFF.counter,
  summary: 'Approve or reject a held offline record (audited): approve charges the holder now and pays the merchant; reject drops the merchant’s claim',
  description:
    'id: the record’s offline_record_held finding (the queue item’s id). approve: one purchase movement of the record’s amount from the balance to the merchant, the record marked applied, the finding resolved adjusted, in one transaction (INSUFFICIENT_BALANCE if the balance is short). reject: nothing moves; the record marked refused and the finding resolved no_action. Either leaves the queue.',
  tags: ['admin'],
  params: z.strictObject({ id: findingId }),
  body: z.strictObject({ decision: z.enum(OFFLINE_HOLD_DECISIONS), reason: actionReason }).meta({ id: 'ResolveOfflineHoldRequest' }),
  response: z
    .object({
      findingId,
      decision: z.enum(OFFLINE_HOLD_DECISIONS),
      terminalId: z.string(),
      recordId: z.string(),
      accountNo,
      amountFen: balanceFen,
      receiptNo: ulidString.optional().meta({ description: 'approve: the purchase’s receipt' }),
      balanceFen: balanceFen.optional().meta({ description: 'approve: the balance after' }),
    })
    .meta({ id: 'OfflineHoldResolved' }),
  errors: [...SESSION, 'FINDING_NOT_FOUND', 'FINDING_ALREADY_RESOLVED', 'ACCOUNT_NOT_FOUND', 'INSUFFICIENT_BALANCE', 'BUSY_RETRY'],
});
