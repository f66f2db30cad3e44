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

