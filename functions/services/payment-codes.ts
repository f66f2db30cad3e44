/**
 * A sale paid with the payer's own WeChat Pay or Alipay payment code at a campus terminal
 * (functions/domain/payment-code.ts). The sale is stored as a pending transfer before the platform
 * is asked, so whatever the platform does has a record to land on. The terminal hears paid, refused
 * or waiting (the payer is entering a password); its polling and the scheduled resolver then ask
 * the platform every few seconds and, after the wait, cancel the sale there. Every sale ends posted
 * (a system entry clearing:<channel> → merchant:<id>:payable, committed with the resolution, so it
 * settles like any other sale) or voided. The holder's campus balance is never touched.
 */
import type { z } from 'zod';
import type { paymentCodeBody, paymentCodeResponse, paymentCodeStatusResponse } from '../../shared/api/payment-codes';
import { errorBody } from '../../shared/errors';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { system } from '../domain/chart';
import { fingerprint } from '../domain/fingerprint';
import type { Terminal } from '../domain/merchant';
import {
  classifyCode,
  maskCode,
  nextStep,
  paymentCodeOrderId,
  REFUSAL_OF,
  retryAfterSeconds,
  type PaymentCodeChannel,
  type PaymentCodeRefusal,
  type PaymentCodeSale,
} from '../domain/payment-code';
import { pendingOf } from '../domain/pending';
import { PlatformCallFailed, type CodePaymentState, type PaymentChannel } from '../payments/channel';
import {
  closePaymentCodeIdUnlessUsed,
  createPaymentCodeSale,
  getPaymentCodeSale,
  getPaymentCodeSlot,
  listOpenPaymentCodeSales,
  noteAsked,
  paymentCodeSaleKey,
  requestCancel,
} from '../store/payment-codes';
import { resolvePending, resolvePendingItem } from '../store/pending';
import { postSystemEntry } from '../store/system-entries';
import { getMerchantCached } from '../store/terminals';
import { ulid } from 'ulid';

type PaymentCodeDeps = Pick<Deps, 'db' | 'clock' | 'payments' | 'logger'>;
export type PaymentCodeAnswer = z.infer<typeof paymentCodeResponse>;
export type PaymentCodeStatusAnswer = z.infer<typeof paymentCodeStatusResponse>;

/** POST /v1/pos/payment-codes: record the sale, ask the platform, answer what it said. */
export async function payWithPaymentCode(deps: PaymentCodeDeps, terminal: Terminal, request: z.infer<typeof paymentCodeBody>): Promise<PaymentCodeAnswer> {
  const kind = classifyCode(request.code);
  if (kind === 'campus') throw new AppError('PAYMENT_CODE_IS_CAMPUS_CODE', `terminal ${terminal.terminalId} sale ${request.posTxnId}`);
  if (kind === 'unknown') throw new AppError('PAYMENT_CODE_UNKNOWN', `terminal ${terminal.terminalId} sale ${request.posTxnId}: ${maskCode(request.code)}`);
  if (!Number.isSafeInteger(request.amountFen) || request.amountFen <= 0) throw new AppError('INVALID_AMOUNT', String(request.amountFen));
  const channel = await channelOf(deps, kind);
  // The code itself only ever as part of a hash: a retry must show the same code and amount.
  const print = fingerprint({ type: 'payment_code', channel: kind, code: request.code, amountFen: request.amountFen });

  const slot = await getPaymentCodeSlot(deps.db, terminal.terminalId, request.posTxnId);
  if (slot && 'closedAt' in slot) throw closedId(terminal, request.posTxnId, slot.closedAt);
  let sale = slot?.sale;
  if (!sale) {
    const now = deps.clock();
    const fresh: PaymentCodeSale = {
      ...pendingOf('payment_code', { debit: system.clearing(kind), credit: system.merchantPayable(terminal.merchantId), amountFen: request.amountFen }, now),
      pendingId: `${terminal.terminalId}/${request.posTxnId}`,
      terminalId: terminal.terminalId,
      posTxnId: request.posTxnId,
      merchantId: terminal.merchantId,
      channel: kind,
      orderId: paymentCodeOrderId(ulid(now.getTime())),
      amountFen: request.amountFen,
      fingerprint: print,
      codeMasked: maskCode(request.code),
      asks: 0,
    };
    // Stored first: a payment the platform takes always has a sale to land on.
    const stored = await createPaymentCodeSale(deps.db, fresh);
    // Closed by a status query between the read and this write: nothing was asked of the platform, nor will be.
    if ('closedAt' in stored) throw closedId(terminal, request.posTxnId, stored.closedAt);
    sale = stored.created ? fresh : stored.existing;
  }
  if (sale.fingerprint !== print) throw new AppError('IDEMPOTENCY_CONFLICT', `payment code sale ${sale.pendingId}`);
  if (sale.state !== 'pending') return answerOf(sale, deps.clock(), true);

  // A pay call not answered yet (lost, or the platform down) is asked again with the same order
  // number while the wait lasts: the platform charges one order once. After that, only queries.
  if (!sale.platformAnswered && sale.cancelRequestedAt === undefined && deps.clock() < new Date(sale.timeoutAt)) {
    const merchant = await getMerchantCached(deps.db, terminal.merchantId, deps.clock());
    let state: CodePaymentState;
    try {
      state = await channel.payWithCode({
        orderId: sale.orderId,
        authCode: request.code,
        amountFen: sale.amountFen,
        description: `${merchant?.name ?? '校园'} 消费`,
        storeId: sale.merchantId,
        terminalId: sale.terminalId,
      });
    } catch (error) {
      if (!(error instanceof PlatformCallFailed)) throw error;
      // No answer about the money: it may have been taken. The sale waits; polling asks.
      deps.logger.warn('payment code: no answer from the platform', { sale: sale.pendingId, error: error.message });
      return answerOf(await noteAsked(deps.db, sale, deps.clock().toISOString(), false), deps.clock(), false);
    }
    return answerOf(await apply(deps, channel, await noteAsked(deps.db, sale, deps.clock().toISOString(), true), state), deps.clock(), false);
  }
  return answerOf(await advance(deps, channel, sale), deps.clock(), false);
}

/**
 * GET /v1/pos/payment-codes/{posTxnId}: where the sale stands, after asking the platform if it is time
 * to. No sale under the id: not_found, and the id is closed in the same conditional write (as
 * GET /v1/pos/transactions/{posTxnId} closes a card or QR id), so the POST, if still on its way, is
 * refused POS_TXN_CLOSED without asking the platform and the cashier can retake the sale under a new
 * id without the payer being charged twice.
 */
export async function paymentCodeStatus(deps: PaymentCodeDeps, terminal: Terminal, posTxnId: string): Promise<PaymentCodeStatusAnswer> {
  const slot = await closePaymentCodeIdUnlessUsed(deps.db, terminal.terminalId, posTxnId, deps.clock().toISOString());
  if ('closedAt' in slot) return { posTxnId, status: 'not_found' };
  const { sale } = slot;
  if (sale.state !== 'pending') return answerOf(sale, deps.clock(), false);
  return answerOf(await advance(deps, await channelOf(deps, sale.channel), sale), deps.clock(), false);
}

export interface PaymentCodeResolverReport {
  checked: number;
  paid: number;
  refused: number;
  cancelled: number;
  open: number;
  failures: { sale: string; error: string }[];
}

/**
 * The scheduled resolver (serverless.yml resolvePaymentCodes, `npm run resolve:payment-codes`): every
 * open sale is asked about, and cancelled at the platform once its wait is over, whether or not the
 * terminal is still polling. Each sale answers for itself: a failure is reported and the run goes on.
 */
export async function resolvePaymentCodes(deps: PaymentCodeDeps): Promise<PaymentCodeResolverReport> {
  const report: PaymentCodeResolverReport = { checked: 0, paid: 0, refused: 0, cancelled: 0, open: 0, failures: [] };
  for (const open of await listOpenPaymentCodeSales(deps.db)) {
    report.checked++;
    try {
      const sale = await advance(deps, await channelOf(deps, open.channel), open);
      if (sale.state === 'posted') report.paid++;
      else if (sale.state !== 'pending') report[sale.resolution === 'cancelled' ? 'cancelled' : 'refused']++;
      else report.open++;
    } catch (error) {
      deps.logger.error('payment code sale could not be resolved', { sale: open.pendingId, error });
      report.failures.push({ sale: open.pendingId, error: error instanceof Error ? error.message : String(error) });
      report.open++;
    }
  }
  return report;
}

/**
 * One round for an open sale: ask the platform if it is time to, cancel it there if the wait is
 * over (a query first: a payer who finished at the last moment has paid). A question the platform
 * does not answer leaves the sale as it is, for the next poll or run.
 */
async function advance(deps: PaymentCodeDeps, channel: PaymentChannel, start: PaymentCodeSale): Promise<PaymentCodeSale> {
  let sale = start;
  // At most a query and then a cancel.
  for (let round = 0; round < 2; round++) {
    const now = deps.clock();
    const step = nextStep(sale, now);
    if (step === 'done' || step === 'wait') return sale;
    if (step === 'cancel') return cancel(deps, channel, sale);
    let state: CodePaymentState | { state: 'not_found' };
    try {
      state = await channel.queryCodePayment(sale.orderId);
    } catch (error) {
      if (!(error instanceof PlatformCallFailed)) throw error;
      deps.logger.warn('payment code: query unanswered', { sale: sale.pendingId, error: error.message });
      const asked = await noteAsked(deps.db, sale, now.toISOString(), false);
      // The wait is over and the platform cannot say: cancel (which gives back anything it took).
      return now.getTime() >= Date.parse(sale.timeoutAt) ? cancel(deps, channel, asked) : asked;
    }
    sale = await noteAsked(deps.db, sale, now.toISOString(), false);
    // Not (yet) paid, or never seen by the platform (a pay call still on its way): the wait goes on.
    if (state.state === 'waiting' || state.state === 'not_found') continue;
    return apply(deps, channel, sale, state);
  }
  return sale;
}

/** What the platform said, applied: paid → posted; refused → voided; closed (cancelled by someone) → voided. */
async function apply(deps: PaymentCodeDeps, channel: PaymentChannel, sale: PaymentCodeSale, state: CodePaymentState): Promise<PaymentCodeSale> {
  if (sale.state !== 'pending') return sale;
  switch (state.state) {
    case 'waiting':
      return sale;
    case 'paid':
      if (state.amountFen !== sale.amountFen) {
        // Never booked at another amount than the terminal asked for: the sale is cancelled, which gives the money back.
        deps.logger.error('payment code: the platform took another amount', { sale: sale.pendingId, asked: sale.amountFen, taken: state.amountFen });
        return cancel(deps, channel, sale, 'PAYMENT_AMOUNT_MISMATCH');
      }
      return post(deps, sale, state);
    case 'refused':
      return voidSale(deps, sale, 'refused', REFUSAL_OF[state.refusal], state.platformCode);
    case 'closed':
      return voidSale(deps, sale, 'cancelled', 'PAYMENT_CODE_TIMED_OUT', 'CLOSED');
  }
}

/**
 * Books the sale to the merchant: the system entry clearing:<channel> → merchant:<id>:payable, in one
 * transaction with the sale's resolution (posted, only while pending and not being cancelled).
 */
async function post(deps: PaymentCodeDeps, sale: PaymentCodeSale, paid: Extract<CodePaymentState, { state: 'paid' }>): Promise<PaymentCodeSale> {
  const at = deps.clock().toISOString();
  try {
    await postSystemEntry(deps, {
      idempotencyKey: `paycode#${sale.terminalId}#${sale.posTxnId}`,
      fingerprint: fingerprint({ type: 'payment_code_sale', orderId: sale.orderId, platformTxnId: paid.platformTxnId, amountFen: sale.amountFen }),
      entry: {
        type: 'payment_code_sale',
        transfers: [{ debit: system.clearing(sale.channel), credit: system.merchantPayable(sale.merchantId), amountFen: sale.amountFen }],
        externalRef: sale.posTxnId,
        merchantId: sale.merchantId,
        terminalId: sale.terminalId,
        // What the platform's daily bill is checked against (functions/domain/bill-reconciliation.ts).
        platformTxnId: paid.platformTxnId,
        paidAt: paid.paidAt ?? at,
        orderId: sale.orderId,
      },
      alsoWrite: (entry) => [
        resolvePendingItem(deps.db, paymentCodeSaleKey(sale), 'posted', at, {
          resolution: 'paid',
          set: { platformTxnId: paid.platformTxnId, paidAt: paid.paidAt ?? at, entryId: entry.entryId },
          condition: 'attribute_not_exists(cancelRequestedAt) AND amountFen = :amount',
          values: { ':amount': sale.amountFen },
        }),
      ],
    });
  } catch (error) {
    // Lost a race (posted by another path, or its cancellation began first): the stored sale says which.
    const now = await getPaymentCodeSale(deps.db, sale.terminalId, sale.posTxnId);
    if (now && (now.state !== 'pending' || now.cancelRequestedAt !== undefined)) return now;
    throw error;
  }
  return (await getPaymentCodeSale(deps.db, sale.terminalId, sale.posTxnId)) ?? sale;
}

/**
 * Cancels the sale at the platform (WeChat reverse, Alipay cancel): marked first, so no payment
 * can post from then on; voided once the platform confirms. Unconfirmed, it stays open (the
 * terminal already hears PAYMENT_CODE_TIMED_OUT) and the next poll or run asks again.
 */
async function cancel(deps: PaymentCodeDeps, channel: PaymentChannel, start: PaymentCodeSale, why: PaymentCodeRefusal = 'PAYMENT_CODE_TIMED_OUT'): Promise<PaymentCodeSale> {
  const sale = start.cancelRequestedAt === undefined ? await requestCancel(deps.db, start, deps.clock().toISOString(), why) : start;
  // Posted by another path before the mark: a paid sale stays paid.
  if (sale.state !== 'pending') return sale;
  try {
    await channel.cancelCodePayment(sale.orderId);
  } catch (error) {
    if (!(error instanceof PlatformCallFailed)) throw error;
    deps.logger.warn('payment code: cancellation unconfirmed', { sale: sale.pendingId, error: error.message });
    return sale;
  }
  return voidSale(deps, sale, 'cancelled', sale.refusal ?? why, 'CANCELLED');
}

async function voidSale(deps: PaymentCodeDeps, sale: PaymentCodeSale, resolution: 'refused' | 'cancelled', refusal: PaymentCodeRefusal, platformCode: string): Promise<PaymentCodeSale> {
  await resolvePending(deps.db, paymentCodeSaleKey(sale), 'voided', deps.clock().toISOString(), { resolution, set: { refusal, platformCode } });
  return (await getPaymentCodeSale(deps.db, sale.terminalId, sale.posTxnId)) ?? sale;
}

function closedId(terminal: Terminal, posTxnId: string, closedAt: string): AppError {
  return new AppError('POS_TXN_CLOSED', `payment code sale ${terminal.terminalId}/${posTxnId} closed unused at ${closedAt}`);
}

async function channelOf(deps: PaymentCodeDeps, name: PaymentCodeChannel): Promise<PaymentChannel> {
  const channel = (await deps.payments())[name];
  if (!channel) throw new AppError('PAYMENT_CHANNEL_UNAVAILABLE', `${name} is not configured`);
  return channel;
}

/** The terminal's view of a sale. A sale being cancelled is already refused: nothing can post any more. */
function answerOf(sale: PaymentCodeSale, now: Date, replayed: boolean): PaymentCodeAnswer {
  const common = { posTxnId: sale.posTxnId, channel: sale.channel, amountFen: sale.amountFen };
  if (sale.state === 'posted') return { ...common, status: 'paid', receiptNo: sale.entryId!, platformTxnId: sale.platformTxnId!, paidAt: sale.paidAt!, replayed };
  if (sale.state === 'pending' && sale.cancelRequestedAt === undefined) return { ...common, status: 'waiting', retryAfterSeconds: retryAfterSeconds(sale, now) };
  const code = sale.refusal ?? (sale.state === 'pending' ? 'PAYMENT_CODE_TIMED_OUT' : 'PAYMENT_CODE_DECLINED');
  const { message } = errorBody(code);
  return { ...common, status: 'refused', refusal: { code, message }, replayed };
}
