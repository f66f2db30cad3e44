/** A holder's own WeChat Pay / Alipay payment code (付款码) at a campus terminal (each request signed by the terminal). */
import * as z from 'zod';
import { amountFen } from '../money';
import { externalId } from './common';
import { defineRoute } from './contract';

const posTxnId = externalId.meta({ description: "The terminal's own id for the sale: sending it again never charges twice (its own id space, apart from card and campus QR payments)" });

export const paymentCodeBody = z
  .strictObject({
    posTxnId,
    code: z
      .string()
      .min(1)
      .max(200)
      .meta({ description: 'The code as scanned: WeChat Pay (18 digits, 10–15 first) or Alipay (16–24 digits, 25–30 first). A campus code is refused PAYMENT_CODE_IS_CAMPUS_CODE: send it to POST /v1/pos/qr-payments' }),
    amountFen,
  })
  .meta({ id: 'PaymentCodeRequest' });

const common = {
  posTxnId: z.string(),
  channel: z.enum(['wechat', 'alipay']),
  amountFen,
};

export const paymentCodeResponse = z
  .discriminatedUnion('status', [
    z.object({
      ...common,
      status: z.literal('paid'),
      receiptNo: z.string().meta({ description: 'The sale as booked to the merchant (its system entry)' }),
      platformTxnId: z.string().meta({ description: "The platform's transaction id (WeChat transaction_id, Alipay trade_no), as the payer's app shows it" }),
      paidAt: z.string(),
      replayed: z.boolean().meta({ description: 'true when this answers a repeat of a sale already decided' }),
    }),
    z.object({
      ...common,
      status: z.literal('waiting').meta({
        description:
          'The payer is entering a password (or the platform has not answered yet): ask GET /v1/pos/payment-codes/{posTxnId} after retryAfterSeconds. After about 45 s without payment the sale is cancelled at the platform and answers refused PAYMENT_CODE_TIMED_OUT.',
      }),
      retryAfterSeconds: z.number().int().positive(),
    }),
    z.object({
      ...common,
      status: z.literal('refused').meta({ description: 'Nothing was taken from the payer (or it was given back by the cancellation): take the sale again under a new posTxnId' }),
      refusal: z.object({
        code: z.enum(['PAYMENT_CODE_INSUFFICIENT_FUNDS', 'PAYMENT_CODE_INVALID', 'PAYMENT_CODE_DECLINED', 'PAYMENT_CODE_TIMED_OUT', 'PAYMENT_AMOUNT_MISMATCH']).meta({
          description: 'PAYMENT_AMOUNT_MISMATCH: the platform took another amount than asked, so the sale was cancelled there (the money goes back)',
        }),
        message: z.object({ zh: z.string(), en: z.string() }),
      }),
      replayed: z.boolean(),
    }),
  ])
  .meta({ id: 'PaymentCodeSale' });

/** The status query's answer: a sale as the POST answers it, or not_found (and the id closed for ever). */
export const paymentCodeStatusResponse = z
  .discriminatedUnion('status', [
    ...paymentCodeResponse.options,
    z.object({
      posTxnId: z.string(),
      status: z.literal('not_found').meta({
        description:
          'No sale under this id, and now there never will be: the id is closed (the POST, if still on its way, is refused POS_TXN_CLOSED and nothing is taken). Nothing was taken from the payer: take the sale again under a new posTxnId',
      }),
    }),
  ])
  .meta({ id: 'PaymentCodeSaleStatus' });

export const posPaymentCode = defineRoute({
  operationId: 'posPaymentCode',
  method: 'POST',
  path: '/v1/pos/payment-codes',
  auth: 'terminal',
  summary: "Take a sale with the payer's own WeChat Pay or Alipay payment code (付款码)",
  description:
    "The sale is recorded before the platform is asked (WeChat Pay 付款码支付, Alipay alipay.trade.pay scene bar_code), then answered paid, refused, or waiting (the payer is entering a password: poll GET /v1/pos/payment-codes/{posTxnId}). A paid sale is booked to the terminal's merchant through the platform's clearing account; the holder's campus balance is not touched. Idempotent on posTxnId per terminal: the same id with another code or amount is IDEMPOTENCY_CONFLICT; an id the status query already answered not_found is POS_TXN_CLOSED (nothing is asked of the platform).",
  tags: ['pos'],
  body: paymentCodeBody,
  response: paymentCodeResponse,
  errors: ['PAYMENT_CODE_UNKNOWN', 'PAYMENT_CODE_IS_CAMPUS_CODE', 'INVALID_AMOUNT', 'IDEMPOTENCY_CONFLICT', 'POS_TXN_CLOSED', 'PAYMENT_CHANNEL_UNAVAILABLE'],
});

export const getPosPaymentCode = defineRoute({
  operationId: 'getPosPaymentCode',
  method: 'GET',
  path: '/v1/pos/payment-codes/{posTxnId}',
  auth: 'terminal',
  summary: 'Where a payment-code sale of this terminal stands (poll it while the answer is waiting)',
  description:
    'Asks the platform again when the last question is a few seconds old, and cancels the sale at the platform once the wait is over. No sale under the id (the POST never arrived, or has not yet): not_found, and the id is closed in the same conditional write, so a POST arriving later is refused POS_TXN_CLOSED and charges nothing (as GET /v1/pos/transactions/{posTxnId} does for card and campus QR sales). Signed like every terminal request (the body is empty).',
  tags: ['pos'],
  params: z.strictObject({ posTxnId }),
  response: paymentCodeStatusResponse,
  errors: ['PAYMENT_CHANNEL_UNAVAILABLE'],
});
