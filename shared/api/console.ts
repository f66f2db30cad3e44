/**
 * What the card-centre console needs besides the admin API's actions: finding an account, the
 * dashboard's figures, and the administrator's staff list. Staff routes, each with its roles.
 */
import { z } from 'zod';
import { balanceFen } from '../money';
import { ACCOUNT_STATUSES, STAFF_ROLES } from '../vocabulary';
import { accountNo, campusDay, ulidString } from './common';
import { historyQuery, ledgerEntryView } from './holder';
import { defineRoute, STAFF } from './contract';
import { actionReason, staffUsername } from './admin';

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
