/**
 * Online disputes (issue 18): the holder disputes a payment from its receipt and follows it; the card
 * centre refunds it as a merchant adjustment or refuses it with a reason.
 */
import * as z from 'zod';
import { amountFen, balanceFen } from '../money';
import { DISPUTE_REASONS, DISPUTE_STATUSES } from '../vocabulary';
import { actionReason } from './admin';
import { accountNo, ulidString } from './common';
import { defineRoute, STAFF } from './contract';

const SESSION = ['SESSION_EXPIRED', 'FORBIDDEN'] as const;

export const DISPUTE_DESCRIPTION_MAX = 200;

/** What the holder writes: trimmed, 2 to 200 characters (the card centre reads it with the payment). */
export const disputeDescription = z
  .string()
  .trim()
  .min(2, { error: 'say what went wrong, in at least 2 characters' })
  .max(DISPUTE_DESCRIPTION_MAX, { error: `at most ${DISPUTE_DESCRIPTION_MAX} characters` });

export const raiseDisputeBody = z
  .strictObject({
    receiptNo: ulidString.meta({ description: 'The payment disputed (its receipt number)' }),
    reason: z.enum(DISPUTE_REASONS),
    description: disputeDescription,
  })
  .meta({ id: 'RaiseDisputeRequest' });

/** A dispute as the holder follows it: no staff names. */
export const holderDisputeView = z
  .object({
    receiptNo: ulidString,
    status: z.enum(DISPUTE_STATUSES).meta({ description: 'submitted (waiting for the card centre), refunded or refused' }),
    reason: z.enum(DISPUTE_REASONS),
    description: z.string(),
    amountFen: amountFen.meta({ description: 'The payment disputed' }),
    merchantName: z.string().optional(),
    chargedAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    resolvedAt: z.iso.datetime().optional(),
    resolution: z.string().optional().meta({ description: "The card centre's reason for its decision" }),
    refundFen: amountFen.optional(),
    refundReceiptNo: ulidString.optional(),
  })
  .meta({ id: 'HolderDispute' });

export const raiseDisputeRoute = defineRoute({
  operationId: 'raiseDispute',
  method: 'POST',
  path: '/v1/holder/disputes',
  auth: 'holder',
  summary: 'Dispute one of my payments (reason and a short description), within the campus policy’s window',
  description:
    'One dispute per payment: a second raise is DISPUTE_EXISTS, except the same raise again (a retry), which answers the dispute it made. Only a purchase of the holder’s own (another account’s receipt is RECEIPT_NOT_FOUND), within disputeWindowDays campus days, never one already refunded.',
  tags: ['holder'],
  body: raiseDisputeBody,
  response: holderDisputeView,
  successStatus: 201,
  errors: ['RECEIPT_NOT_FOUND', 'DISPUTE_NOT_A_PAYMENT', 'DISPUTE_WINDOW_PASSED', 'DISPUTE_EXISTS', 'DISPUTE_ENTRY_REFUNDED'],
});

export const listHolderDisputesRoute = defineRoute({
  operationId: 'listHolderDisputes',
  method: 'GET',
  path: '/v1/holder/disputes',
  auth: 'holder',
  summary: 'My disputes, newest first',
  tags: ['holder'],
  query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
  response: z.object({ disputes: z.array(holderDisputeView) }).meta({ id: 'HolderDisputes' }),
  errors: [],
});

export const getHolderDisputeRoute = defineRoute({
  operationId: 'getHolderDispute',
  method: 'GET',
  path: '/v1/holder/disputes/{receiptNo}',
  auth: 'holder',
  summary: 'My dispute of one payment, by the payment’s receipt number',
  tags: ['holder'],
  params: z.strictObject({ receiptNo: ulidString }),
  response: holderDisputeView,
  errors: ['DISPUTE_NOT_FOUND'],
});

/** A dispute as the card centre handles it: the payment's merchant and terminal, the account, who decided. */
export const adminDisputeView = holderDisputeView
  .extend({
    accountNo,
    merchantId: z.string(),
    terminalId: z.string().optional(),
    terminalPlace: z.string().optional(),
    resolvedBy: z.string().optional(),
  })
  .meta({ id: 'AdminDispute' });

export const DISPUTE_LIST_STATES = ['open', 'resolved'] as const;

export const disputeCursor = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9A-HJKMNP-TV-Z]{26}$/, { error: 'not a cursor' });

export const listDisputesRoute = defineRoute({
  operationId: 'listDisputes',
  method: 'GET',
  path: '/v1/admin/disputes',
  auth: 'admin',
  // Every GET is the auditor's too (read-only); deciding is the resolvers'.
  roles: STAFF.readers,
  summary: 'Disputes to handle (open, oldest first) or handled (resolved, newest first)',
  tags: ['admin'],
  query: z.strictObject({
    state: z.enum(DISPUTE_LIST_STATES).default('open'),
    cursor: disputeCursor.optional().meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  }),
  response: z.object({ disputes: z.array(adminDisputeView), openCount: z.number().int().min(0), nextCursor: disputeCursor.optional() }).meta({ id: 'DisputePage' }),
  errors: [...SESSION],
});

const disputeDecided = z.object({
  dispute: adminDisputeView,
  replayed: z.boolean().meta({ description: 'true when this answers the same decision made before' }),
});

export const refundDisputeRoute = defineRoute({
  operationId: 'refundDispute',
  method: 'POST',
  path: '/v1/admin/disputes/{receiptNo}/refund',
  auth: 'admin',
  roles: STAFF.resolvers,
  summary: "Uphold a dispute: refund the holder out of the merchant's payable (a merchant adjustment on its statement), with a reason",
  description:
    'amountFen defaults to what is left of the payment and may not exceed it. The refund and the dispute’s resolution commit together, with the action-log entry; the same decision again answers as it did (replayed: true), another decision on a resolved dispute is DISPUTE_ALREADY_RESOLVED.',
  tags: ['admin'],
  params: z.strictObject({ receiptNo: ulidString }),
  body: z.strictObject({ amountFen: amountFen.optional(), reason: actionReason }).meta({ id: 'RefundDisputeRequest' }),
  response: disputeDecided
    .extend({ refund: z.object({ refundReceiptNo: ulidString, amountFen, balanceFen: balanceFen.meta({ description: "The holder's balance after the refund" }) }) })
    .meta({ id: 'DisputeRefunded' }),
  errors: [...SESSION, 'DISPUTE_NOT_FOUND', 'DISPUTE_ALREADY_RESOLVED', 'REFUND_EXCEEDS_PURCHASE', 'REFUND_NOT_ALLOWED', 'INVALID_AMOUNT', 'CARD_CANCELLED', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'],
});

export const refuseDisputeRoute = defineRoute({
  operationId: 'refuseDispute',
  method: 'POST',
  path: '/v1/admin/disputes/{receiptNo}/refusal',
  auth: 'admin',
  roles: STAFF.resolvers,
  summary: 'Refuse a dispute with a reason the holder reads',
  tags: ['admin'],
  params: z.strictObject({ receiptNo: ulidString }),
  body: z.strictObject({ reason: actionReason }).meta({ id: 'RefuseDisputeRequest' }),
  response: disputeDecided.meta({ id: 'DisputeRefused' }),
  errors: [...SESSION, 'DISPUTE_NOT_FOUND', 'DISPUTE_ALREADY_RESOLVED'],
});
