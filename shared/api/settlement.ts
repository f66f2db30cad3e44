/**
 * Merchant settlement for the card centre (docs/settlement.md): statements closed per merchant and
 * period by the scheduled close, read, exported as CSV for Excel, and marked paid by finance.
 */
import * as z from 'zod';
import { SETTLEMENT_PERIODS } from '../vocabulary';
import { campusDay, externalId } from './common';
import { defineRoute, STAFF } from './contract';
import { actionReason } from './admin';

/** What every staff route can answer: its session ran out, or the caller's role may not (route layer). */
const SESSION = ['SESSION_EXPIRED', 'FORBIDDEN'] as const;

export const STATEMENT_STATUS_VALUES = ['closed', 'paid', 'nothing_to_pay', 'report'] as const;

export const statementId = z
  .string()
  .regex(/^[DWM]\d{8}-[A-Za-z0-9_-]{1,40}$/, { error: 'not a statement id' })
  .meta({ description: 'D|W|M (daily, weekly, monthly), the period’s first day YYYYMMDD, "-", the merchant id: W20261130-CANTEEN1' });

const merchantIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, { error: 'not a merchant id' });
const fen = z.number().int();

const statementDayView = z.object({ day: campusDay, entries: z.number().int(), turnoverFen: fen, refundsFen: fen, adjustmentsFen: fen }).meta({ id: 'StatementDay' });

export const statementSummaryView = z
  .object({
    statementId,
    merchantId: z.string(),
    merchantName: z.string(),
    periodKind: z.enum(SETTLEMENT_PERIODS),
    from: campusDay.meta({ description: 'First campus day (Asia/Shanghai), inclusive' }),
    to: campusDay.meta({ description: 'Last campus day, inclusive' }),
    settles: z.boolean().meta({ description: 'The merchant’s agreement period: its fee is booked and its net is paid. A daily statement of a weekly or monthly merchant is a report.' }),
    feeRateBps: z.number().int(),
    settlementAccountMasked: z.string().optional(),
    entries: z.number().int().meta({ description: 'Entries on the merchant’s payable posted in the period' }),
    turnoverFen: fen.meta({ description: 'Every credit to the payable: purchases, water used, utility payments, payment-code sales' }),
    refundsFen: fen,
    adjustmentsFen: fen.meta({ description: 'Duplicate charges the card centre refunded out of the settlement' }),
    netTurnoverFen: fen.meta({ description: 'Turnover − refunds − adjustments: the fee’s base' }),
    feeFen: fen.meta({ description: 'feeRateBps of the net turnover, once per statement, half-up to the fen; 0 when the base is 0 or less' }),
    netPayableFen: fen.meta({ description: 'Net turnover − fee: what the merchant is paid' }),
    status: z.enum(STATEMENT_STATUS_VALUES),
    closedAt: z.iso.datetime(),
    feeEntryId: z.string().optional(),
    payout: z.object({ bankReference: z.string(), paidAt: z.iso.datetime(), paidBy: z.string(), entryId: z.string() }).optional(),
  })
  .meta({ id: 'StatementSummary' });

export const statementView = statementSummaryView
  .extend({
    days: z.array(statementDayView),
    adjustments: z.array(z.object({ entryId: z.string(), amountFen: fen, reason: z.string() })),
    firstEntryId: z.string().optional(),
    lastEntryId: z.string().optional(),
  })
  .meta({ id: 'Statement' });

export const listStatements = defineRoute({
  operationId: 'listStatements',
  method: 'GET',
  path: '/v1/admin/statements',
  auth: 'admin',
  roles: STAFF.financeReaders,
  summary: 'Settlement statements: of a merchant, of a period across merchants, or waiting for payout',
  description: 'Give merchantId (optionally periodKind, from, to), or periodKind and from (every merchant’s statement of the period containing that day), or status=closed alone (statements waiting for payout, oldest first). Oldest first.',
  tags: ['admin'],
  query: z
    .strictObject({
      merchantId: merchantIdParam.optional(),
      periodKind: z.enum(SETTLEMENT_PERIODS).optional(),
      from: campusDay.optional(),
      to: campusDay.optional(),
      status: z.enum(STATEMENT_STATUS_VALUES).optional(),
    })
    .refine((q) => q.merchantId !== undefined || (q.periodKind !== undefined && q.from !== undefined) || q.status === 'closed', {
      error: 'name a merchant, a period (periodKind and from), or status=closed',
    }),
  response: z.object({ statements: z.array(statementSummaryView) }).meta({ id: 'StatementList' }),
  errors: [...SESSION, 'STATEMENT_NOT_FOUND'],
});

export const getStatement = defineRoute({
  operationId: 'getStatement',
  method: 'GET',
  path: '/v1/admin/statements/{statementId}',
  auth: 'admin',
  roles: STAFF.financeReaders,
  summary: 'One settlement statement, with its days and adjustments',
  tags: ['admin'],
  params: z.strictObject({ statementId }),
  response: statementView,
  errors: [...SESSION, 'STATEMENT_NOT_FOUND', 'STATEMENT_NOT_CLOSED'],
});

export const getStatementCsv = defineRoute({
  operationId: 'getStatementCsv',
  method: 'GET',
  path: '/v1/admin/statements/{statementId}/csv',
  auth: 'admin',
  roles: STAFF.financeReaders,
  summary: 'One statement as CSV for Excel: UTF-8 with BOM, CRLF, yuan with two decimals, a line per day and a totals line',
  tags: ['admin'],
  params: z.strictObject({ statementId }),
  response: z.string(),
  successContentType: 'text/csv; charset=utf-8',
  errors: [...SESSION, 'STATEMENT_NOT_FOUND', 'STATEMENT_NOT_CLOSED'],
});

export const exportStatements = defineRoute({
  operationId: 'exportStatements',
  method: 'GET',
  path: '/v1/admin/statement-exports',
  auth: 'admin',
  roles: STAFF.financeReaders,
  summary: 'Every merchant’s statement of one period as CSV for Excel, a line per merchant and a totals line',
  tags: ['admin'],
  query: z.strictObject({ periodKind: z.enum(SETTLEMENT_PERIODS), from: campusDay.meta({ description: 'A day of the period' }) }),
  response: z.string(),
  successContentType: 'text/csv; charset=utf-8',
  errors: [...SESSION],
});

export const payStatement = defineRoute({
  operationId: 'payStatement',
  method: 'POST',
  path: '/v1/admin/statements/{statementId}/payout',
  auth: 'admin',
  roles: STAFF.finance,
  summary: 'Finance marks a closed statement paid with the bank’s reference (supervisors; audited; once)',
  description:
    'Books the net payable from the merchant’s payable to the bank clearing account (a merchant_payout system entry) with the statement’s change and the action-log entry, in one transaction. The same bankReference again answers the paid statement; another is STATEMENT_ALREADY_PAID.',
  tags: ['admin'],
  params: z.strictObject({ statementId }),
  body: z.strictObject({ bankReference: externalId.meta({ description: 'The bank transfer’s reference' }), reason: actionReason }).meta({ id: 'PayStatementRequest' }),
  response: statementView,
  errors: [...SESSION, 'FORBIDDEN', 'STATEMENT_NOT_FOUND', 'STATEMENT_NOT_CLOSED', 'STATEMENT_NOT_PAYABLE', 'STATEMENT_ALREADY_PAID'],
});

export const closeStatementPeriodRoute = defineRoute({
  operationId: 'closeStatementPeriod',
  method: 'POST',
  path: '/v1/admin/statement-closings',
  auth: 'admin',
  roles: STAFF.finance,
  summary: 'Finance closes every merchant’s statement of one ended period now, as the scheduled close would (audited; idempotent)',
  description:
    'Closes, for every merchant that existed by the period’s end, its statement of the period containing `from` (its daily statement, or its agreement’s weekly or monthly statement; a merchant on another agreement has no statement of that kind), booking each fee with its statement. A period that has not ended with its grace (15 minutes) is STATEMENT_PERIOD_NOT_ENDED and nothing changes. Closing again closes nothing and answers the same statements. Recorded in the action log (statement.close) when it closed something.',
  tags: ['admin'],
  body: z
    .strictObject({
      periodKind: z.enum(SETTLEMENT_PERIODS),
      from: campusDay.meta({ description: 'Any campus day of the period' }),
      reason: actionReason,
    })
    .meta({ id: 'CloseStatementPeriodRequest' }),
  response: z
    .object({
      period: z.object({ kind: z.enum(SETTLEMENT_PERIODS), from: campusDay, to: campusDay }),
      closed: z.number().int().meta({ description: 'Statements this call closed' }),
      alreadyClosed: z.number().int().meta({ description: 'Statements found closed already (by the schedule or an earlier call)' }),
      statements: z.array(statementSummaryView).meta({ description: 'Every merchant’s statement of the period, by merchant id' }),
    })
    .meta({ id: 'StatementClosing' }),
  errors: [...SESSION, 'STATEMENT_PERIOD_NOT_ENDED'],
});

/** The longest range the turnover report reads (two months and a day or two: one Query per merchant, a few per day). */
export const TURNOVER_REPORT_MAX_DAYS = 62;

const dayFigures = {
  turnoverFen: fen.meta({ description: 'Credits to the merchants’ payables: purchases, water, utility payments, payment-code sales' }),
  refundsFen: fen.meta({ description: 'Refunds, duplicate charges adjusted out included' }),
  netFen: fen.meta({ description: 'Turnover − refunds' }),
  entries: z.number().int().nonnegative().meta({ description: 'Entries on the payables' }),
};
const topupChannel = z.enum(['wechat', 'alipay', 'bank', 'cash_desk']);

export const getTurnoverReportRoute = defineRoute({
  operationId: 'getTurnoverReport',
  method: 'GET',
  path: '/v1/admin/reports/turnover',
  auth: 'admin',
  roles: STAFF.financeReaders,
  summary: 'Turnover per day and per merchant, and top-ups per channel per day, over a range of campus days (for the console’s charts)',
  description: `At most ${TURNOVER_REPORT_MAX_DAYS} days. Read from the closed daily statements (one Query per merchant) and, for days not closed yet, from the merchants’ payable day indexes; top-ups from the funding accounts’ day indexes (the platforms’ and the bank’s clearing, the cash desk). Today’s last moments may be missing (the indexes are eventually consistent).`,
  tags: ['admin'],
  query: z
    .strictObject({ from: campusDay.meta({ description: 'First campus day, inclusive' }), to: campusDay.meta({ description: 'Last campus day, inclusive' }) })
    .refine((q) => q.from <= q.to, { error: 'from must not be after to' })
    .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < TURNOVER_REPORT_MAX_DAYS, { error: `at most ${TURNOVER_REPORT_MAX_DAYS} days` }),
  response: z
    .object({
      from: campusDay,
      to: campusDay,
      days: z.array(z.object({ day: campusDay, ...dayFigures })).meta({ description: 'Every day of the range, oldest first' }),
      merchants: z
        .array(z.object({ merchantId: z.string(), name: z.string(), ...dayFigures }))
        .meta({ description: 'Merchants with entries in the range, largest turnover first' }),
      topups: z
        .array(
          z.object({
            day: campusDay,
            totalFen: fen,
            byChannel: z.array(z.object({ channel: topupChannel, amountFen: fen, count: z.number().int().nonnegative() })),
          }),
        )
        .meta({ description: 'Every day of the range, oldest first; every channel each day' }),
    })
    .meta({ id: 'TurnoverReport' }),
  errors: [...SESSION],
});
