/** The API contract: every route of serverless.yml, with its request and answer shapes. */
import { z } from 'zod';
import { amountFen, balanceFen } from '../money';
import { defineRoute } from './contract';

/** External transaction ids from POS terminals and platforms: short, printable, no separators we use in keys. */
export const externalId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'only letters, digits, "_" and "-"' });

export const accountNo = z
  .string()
  .regex(/^\d{5,12}$/, { error: 'an account number is 5 to 12 digits' })
  .meta({ description: 'The account number printed on receipts (the student/staff id identifies the holder too)' });

export const healthResponse = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    time: z.iso.datetime(),
    dynamodb: z.object({
      reachable: z.boolean(),
      table: z.string(),
      tableStatus: z.string().optional(),
      latencyMs: z.number().int().min(0),
    }),
  })
  .meta({ id: 'Health' });

export const getHealth = defineRoute({
  operationId: 'getHealth',
  method: 'GET',
  path: '/health',
  auth: 'none',
  summary: 'Service health, including whether DynamoDB is reachable',
  tags: ['operations'],
  response: healthResponse,
  otherResponses: [{ status: 503, description: 'DynamoDB is unreachable or the table is missing', schema: healthResponse }],
  errors: [],
});

export const getOpenApi = defineRoute({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/openapi.json',
  auth: 'none',
  summary: 'This OpenAPI 3.1 document',
  tags: ['operations'],
  response: z.record(z.string(), z.unknown()).meta({ id: 'OpenApiDocument' }),
  errors: [],
});

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
    'CARD_LOST',
    'CARD_FROZEN',
    'CARD_CANCELLED',
    'CARD_EXPIRED',
    'IDEMPOTENCY_CONFLICT',
    'BUSY_RETRY',
  ],
});

/** Every route, in the order the OpenAPI document lists them. */
export const ROUTES = [getHealth, getOpenApi, posCharge] as const;
