/**
 * WeChat Pay and Alipay payment codes (付款码) at a campus terminal, end to end: signed terminal
 * requests over HTTP, the fake platforms over their real signed protocols (WeChat APIv3 codepay,
 * query and reverse; Alipay alipay.trade.pay bar_code, query and cancel), DynamoDB Local. Every sale
 * is a pending transfer that ends posted (a system entry to the merchant's payable) or voided.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import { campusDay } from '../../functions/domain/campus-day';
import { system } from '../../functions/domain/chart';
import type { Terminal } from '../../functions/domain/merchant';
import type { PaymentCodeSale } from '../../functions/domain/payment-code';
import { startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { auditLedger } from '../../functions/services/audit';
import { reconcileBills } from '../../functions/services/bill-reconciliation';
import { listOpenFindings } from '../../functions/store/reconciliation-findings';
import { payWithPaymentCode, paymentCodeStatus, resolvePaymentCodes } from '../../functions/services/payment-codes';
import { getPaymentCodeSale, getPaymentCodeSlot } from '../../functions/store/payment-codes';
import { listOpenPending } from '../../functions/store/pending';
import { systemAccountDay } from '../../functions/store/system-accounts';
import { getSystemEntry } from '../../functions/store/system-entries';
import { createTestAccount, createTestTerminal, terminalFetch } from '../helpers/fixtures';
import { useFake } from '../helpers/fakes';
import { bindPhone } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

let wechat: FakeWechatPay;
let alipay: FakeAlipay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
useFake('ALIPAY_CONFIG', () => startFakeAlipay(), (started) => (alipay = started));
const platform = useTestPlatform({ http: true });
const run = promisify(execFile);

const PAY = '/v1/pos/payment-codes';
const MERCHANT = 'MPAYCODE';
const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');
const codes = { wechat: () => `13${digits(16)}`, alipay: () => `28${digits(16)}` } as const;
type Channel = keyof typeof codes;
let seq = 0;
const txn = () => `pc-${++seq}`;

let terminal: Terminal;
let made: Promise<Terminal> | undefined;
/** The one terminal of these tests (made once, even when five requests ask for it at once). */
async function till(): Promise<Terminal> {
  made ??= createTestTerminal(platform.deps, { merchantId: MERCHANT });
  terminal = await made;
  return terminal;
}
const pay = async (body: Record<string, unknown>, on?: Terminal) => terminalFetch(platform.url, on ?? (await till()), 'POST', PAY, body);
const status = async (posTxnId: string, on?: Terminal) => terminalFetch(platform.url, on ?? (await till()), 'GET', `${PAY}/${posTxnId}`, undefined);
const sale = async (posTxnId: string): Promise<PaymentCodeSale | undefined> => getPaymentCodeSale(platform.deps.db, (await till()).terminalId, posTxnId);

/** The platform's deps with the clock moved on (the terminal polling, or the resolver, some seconds later). */
const later = (seconds: number): Deps => ({ ...platform.deps, clock: () => new Date(Date.now() + seconds * 1000) });

/** What the platform did with our order: its pay calls, queries, and whether it was charged and reversed. */
function atPlatform(channel: Channel, orderId: string) {
  if (channel === 'wechat') {
    const order = wechat.codeOrders().find((o) => o.outTradeNo === orderId);
    return order && { payCalls: order.payCalls, queries: order.queries, charged: order.transactionId !== undefined, paidNow: order.tradeState === 'SUCCESS', cancelled: order.reversed, givenBack: order.refundedByReverse };
  }
  const trade = alipay.codeTrades().find((t) => t.outTradeNo === orderId);
  return trade && { payCalls: trade.payCalls, queries: trade.queries, charged: trade.gmtPayment !== undefined, paidNow: trade.status === 'TRADE_SUCCESS', cancelled: trade.cancelled, givenBack: trade.cancelAction === 'refund' };
}

/** Every order the platform holds for this payer's code, and how many of them took money. */
function chargesOf(channel: Channel, code: string): { orders: number; charged: number } {
  const orders =
    channel === 'wechat'
      ? wechat.codeOrders().filter((o) => o.authCode === code).map((o) => o.transactionId !== undefined && !o.refundedByReverse)
      : alipay.codeTrades().filter((t) => t.authCode === code).map((t) => t.gmtPayment !== undefined && t.cancelAction !== 'refund');
  return { orders: orders.length, charged: orders.filter(Boolean).length };
}

const payable = system.merchantPayable(MERCHANT);
const payableToday = async () => (await systemAccountDay(platform.deps.db, payable, campusDay(new Date()))).changeFen;

describe.each<Channel>(['wechat', 'alipay'])('a %s payment code at a campus POS', (channel) => {
  it('paid at once: the terminal hears paid, and the sale is booked clearing → merchant payable (the holder balance is not touched)', async () => {
    const code = codes[channel]();
    const before = await payableToday();
    const posTxnId = txn();
    const res = await pay({ posTxnId, code, amountFen: 1_250 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ posTxnId, channel, amountFen: 1_250, status: 'paid', replayed: false, platformTxnId: expect.any(String), receiptNo: expect.any(String) });
    const stored = await sale(posTxnId);
    expect(stored).toMatchObject({ state: 'posted', resolution: 'paid', pendingKind: 'payment_code', transfer: { debit: `clearing:${channel}`, credit: payable, amountFen: 1_250 }, codeMasked: `${code.slice(0, 4)}**********${code.slice(-4)}` });
    expect(JSON.stringify(stored)).not.toContain(code);
    const entry = await getSystemEntry(platform.deps.db, res.body.receiptNo);
    expect(entry).toMatchObject({ type: 'payment_code_sale', amountFen: 1_250, externalRef: posTxnId, merchantId: MERCHANT, terminalId: terminal.terminalId, transfers: [{ debit: `clearing:${channel}`, credit: payable, amountFen: 1_250 }] });
    expect(await payableToday()).toBe(before + 1_250);
    expect(atPlatform(channel, stored!.orderId)).toMatchObject({ payCalls: 1, charged: true, paidNow: true });
    // The status route answers the same sale.
    expect((await status(posTxnId)).body).toEqual({ ...res.body, replayed: false });
  });

  it('refused (insufficient funds): the terminal hears why, the sale is voided, nothing is booked', async () => {
    const code = codes[channel]();
    if (channel === 'wechat') wechat.codeBehaviour(code, { kind: 'refused', code: 'NOTENOUGH' });
    else alipay.codeBehaviour(code, { kind: 'refused', subCode: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' });
    const before = await payableToday();
    const posTxnId = txn();
    const res = await pay({ posTxnId, code, amountFen: 900 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'refused', refusal: { code: 'PAYMENT_CODE_INSUFFICIENT_FUNDS', message: { zh: expect.stringContaining('余额不足'), en: expect.any(String) } }, replayed: false });
    expect(await sale(posTxnId)).toMatchObject({ state: 'voided', resolution: 'refused', refusal: 'PAYMENT_CODE_INSUFFICIENT_FUNDS' });
    expect(await payableToday()).toBe(before);
    // A retry answers the same refusal, without asking the platform again.
    expect((await pay({ posTxnId, code, amountFen: 900 })).body).toEqual({ ...res.body, replayed: true });
  });

  it('waiting for the payer’s password, then paid: the terminal polls, the platform is asked every few seconds, and the sale posts once', async () => {
    const code = codes[channel]();
    if (channel === 'wechat') wechat.codeBehaviour(code, { kind: 'password', paidAfterQueries: 2 });
    else alipay.codeBehaviour(code, { kind: 'password', paidAfterQueries: 2 });
    const posTxnId = txn();
    const before = await payableToday();
    const first = await pay({ posTxnId, code, amountFen: 2_000 });
    expect(first.body).toMatchObject({ status: 'waiting', retryAfterSeconds: 5 });
    const { orderId } = (await sale(posTxnId))!;
    // Polled at once: the platform was asked a moment ago, so it is not asked again.
    expect((await status(posTxnId)).body).toMatchObject({ status: 'waiting' });
    expect(atPlatform(channel, orderId)).toMatchObject({ queries: 0 });
    // 6 s later: asked once (still typing); 12 s later: asked again, and paid.
    expect(await paymentCodeStatus(later(6), terminal, posTxnId)).toMatchObject({ status: 'waiting' });
    expect(await paymentCodeStatus(later(12), terminal, posTxnId)).toMatchObject({ status: 'paid', amountFen: 2_000 });
    expect(atPlatform(channel, orderId)).toMatchObject({ payCalls: 1, queries: 2, paidNow: true, cancelled: false });
    // The terminal's next poll and the resolver see it done; the resolver (a minute on) does not cancel a paid sale.
    expect((await status(posTxnId)).body).toMatchObject({ status: 'paid' });
    await resolvePaymentCodes(later(60));
    expect(atPlatform(channel, orderId)).toMatchObject({ cancelled: false, paidNow: true });
    expect(await payableToday()).toBe(before + 2_000);
  });

  it('timed out: after the wait the sale is cancelled at the platform (the fake records it) and voided; the terminal hears PAYMENT_CODE_TIMED_OUT', async () => {
    const code = codes[channel]();
    if (channel === 'wechat') wechat.codeBehaviour(code, { kind: 'password' });
    else alipay.codeBehaviour(code, { kind: 'password' });
    const posTxnId = txn();
    const before = await payableToday();
    expect((await pay({ posTxnId, code, amountFen: 3_300 })).body).toMatchObject({ status: 'waiting' });
    const { orderId } = (await sale(posTxnId))!;
    // Within the wait the resolver only asks.
    await resolvePaymentCodes(later(20));
    expect(atPlatform(channel, orderId)).toMatchObject({ queries: 1, cancelled: false });
    expect((await sale(posTxnId))!.state).toBe('pending');
    // Past it: asked once more (a payer who finished at the last moment would be paid), then cancelled.
    await resolvePaymentCodes(later(50));
    expect(atPlatform(channel, orderId)).toMatchObject({ queries: 2, cancelled: true, charged: false });
    expect(await sale(posTxnId)).toMatchObject({ state: 'voided', resolution: 'cancelled', refusal: 'PAYMENT_CODE_TIMED_OUT', cancelRequestedAt: expect.any(String) });
    expect((await status(posTxnId)).body).toMatchObject({ status: 'refused', refusal: { code: 'PAYMENT_CODE_TIMED_OUT' } });
    expect(await payableToday()).toBe(before);
  });

  it('retried by the terminal: the same answer, charged once at the platform; another request under the same posTxnId is IDEMPOTENCY_CONFLICT', async () => {
    const code = codes[channel]();
    const posTxnId = txn();
    const before = await payableToday();
    const first = await pay({ posTxnId, code, amountFen: 700 });
    const retry = await pay({ posTxnId, code, amountFen: 700 });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ ...first.body, replayed: true });
    const { orderId } = (await sale(posTxnId))!;
    expect(atPlatform(channel, orderId)).toMatchObject({ payCalls: 1, charged: true });
    for (const other of [{ code, amountFen: 701 }, { code: codes[channel](), amountFen: 700 }]) {
      const conflict = await pay({ posTxnId, ...other });
      expect(conflict.status).toBe(409);
      expect(conflict.body.code).toBe('IDEMPOTENCY_CONFLICT');
    }
    // Another terminal's posTxnId space is its own.
    const other = await createTestTerminal(platform.deps, { merchantId: MERCHANT });
    expect((await pay({ posTxnId, code: codes[channel](), amountFen: 100 }, other)).body).toMatchObject({ status: 'paid' });
    expect(await payableToday()).toBe(before + 800);
  });

  it('retried while the payer is still typing: the platform is not asked to pay again', async () => {
    const code = codes[channel]();
    if (channel === 'wechat') wechat.codeBehaviour(code, { kind: 'password', paidAfterQueries: 1 });
    else alipay.codeBehaviour(code, { kind: 'password', paidAfterQueries: 1 });
    const posTxnId = txn();
    expect((await pay({ posTxnId, code, amountFen: 450 })).body).toMatchObject({ status: 'waiting' });
    expect((await pay({ posTxnId, code, amountFen: 450 })).body).toMatchObject({ status: 'waiting' });
    const { orderId } = (await sale(posTxnId))!;
    expect(atPlatform(channel, orderId)).toMatchObject({ payCalls: 1, queries: 0 });
    expect(await paymentCodeStatus(later(6), terminal, posTxnId)).toMatchObject({ status: 'paid' });
  });
});

describe('the platform and the terminal misbehaving', () => {
  it('the same sale sent five times at once: one sale, one charge at the platform, booked once', async () => {
    const code = codes.wechat();
    const posTxnId = txn();
    const before = await payableToday();
    const answers = await Promise.all(Array.from({ length: 5 }, () => pay({ posTxnId, code, amountFen: 880 })));
    // A copy that reads the sale while another is between the platform's answer and the booking hears waiting (and polls).
    expect(answers.every((a) => a.body.status === 'paid' || a.body.status === 'waiting')).toBe(true);
    const paid = (await status(posTxnId)).body;
    expect(paid).toMatchObject({ status: 'paid' });
    expect(answers.filter((a) => a.body.status === 'paid').every((a) => a.body.receiptNo === paid.receiptNo)).toBe(true);
    const { orderId } = (await sale(posTxnId))!;
    expect(wechat.codeOrders().filter((o) => o.outTradeNo === orderId)).toMatchObject([{ tradeState: 'SUCCESS' }]);
    expect(await payableToday()).toBe(before + 880);
  });

  it('a platform that took another amount than asked: never booked, cancelled at the platform (the money goes back)', async () => {
    const code = codes.wechat();
    wechat.codeBehaviour(code, { kind: 'paid', takenFen: 1 });
    const posTxnId = txn();
    const before = await payableToday();
    expect((await pay({ posTxnId, code, amountFen: 990 })).body).toMatchObject({ status: 'refused', refusal: { code: 'PAYMENT_AMOUNT_MISMATCH' } });
    const { orderId } = (await sale(posTxnId))!;
    expect(await sale(posTxnId)).toMatchObject({ state: 'voided', resolution: 'cancelled', refusal: 'PAYMENT_AMOUNT_MISMATCH' });
    expect(atPlatform('wechat', orderId)).toMatchObject({ cancelled: true, givenBack: true });
    expect(await payableToday()).toBe(before);
  });
});

describe('a lost answer at the platform', () => {
  it('WeChat took the payment but the answer never came: the terminal hears waiting, the next query finds it paid, booked once', async () => {
    const code = codes.wechat();
    wechat.codeBehaviour(code, { kind: 'lost' });
    const posTxnId = txn();
    const before = await payableToday();
    expect((await pay({ posTxnId, code, amountFen: 1_800 })).body).toMatchObject({ status: 'waiting' });
    const stored = (await sale(posTxnId))!;
    expect(stored).toMatchObject({ state: 'pending', asks: 1 });
    expect(stored.platformAnswered).toBeUndefined();
    expect(atPlatform('wechat', stored.orderId)).toMatchObject({ payCalls: 1, charged: true });
    expect(await paymentCodeStatus(later(6), terminal, posTxnId)).toMatchObject({ status: 'paid', amountFen: 1_800 });
    expect(await resolvePaymentCodes(later(60))).toMatchObject({ failures: [] });
    expect(atPlatform('wechat', stored.orderId)).toMatchObject({ payCalls: 1, cancelled: false });
    expect(await payableToday()).toBe(before + 1_800);
  });

  it('Alipay took the payment but the answer never came: the terminal’s retry asks again under the same order number and hears paid, charged once', async () => {
    const code = codes.alipay();
    alipay.codeBehaviour(code, { kind: 'lost' });
    const posTxnId = txn();
    const before = await payableToday();
    expect((await pay({ posTxnId, code, amountFen: 1_600 })).body).toMatchObject({ status: 'waiting' });
    const retry = await pay({ posTxnId, code, amountFen: 1_600 });
    expect(retry.body).toMatchObject({ status: 'paid', replayed: false });
    const { orderId } = (await sale(posTxnId))!;
    // One trade, paid once, however often it was asked to pay (the SDK's own resend after the socket error, then the terminal's retry).
    const trades = alipay.codeTrades().filter((t) => t.outTradeNo === orderId);
    expect(trades).toMatchObject([{ status: 'TRADE_SUCCESS' }]);
    expect(trades[0]!.payCalls).toBeGreaterThanOrEqual(2);
    expect(await payableToday()).toBe(before + 1_600);
  });

  it('a platform down at the sale: waiting, and once it is back the terminal’s retry is paid', async () => {
    const code = codes.wechat();
    const posTxnId = txn();
    wechat.setDown(true);
    try {
      expect((await pay({ posTxnId, code, amountFen: 500 })).body).toMatchObject({ status: 'waiting' });
      expect((await sale(posTxnId))!.state).toBe('pending');
    } finally {
      wechat.setDown(false);
    }
    expect((await pay({ posTxnId, code, amountFen: 500 })).body).toMatchObject({ status: 'paid' });
  });

  it('a cancellation the platform does not confirm stays open (the terminal already hears timed out) and is asked again on the next run', async () => {
    const code = codes.alipay();
    alipay.codeBehaviour(code, { kind: 'password' });
    const posTxnId = txn();
    await pay({ posTxnId, code, amountFen: 650 });
    alipay.setDown(true);
    try {
      const report = await resolvePaymentCodes(later(50));
      expect(report.failures).toEqual([]);
      expect(await sale(posTxnId)).toMatchObject({ state: 'pending', cancelRequestedAt: expect.any(String) });
      expect((await status(posTxnId)).body).toMatchObject({ status: 'refused', refusal: { code: 'PAYMENT_CODE_TIMED_OUT' } });
    } finally {
      alipay.setDown(false);
    }
    await resolvePaymentCodes(later(70));
    const { orderId } = (await sale(posTxnId))!;
    expect(await sale(posTxnId)).toMatchObject({ state: 'voided', resolution: 'cancelled' });
    expect(atPlatform('alipay', orderId)).toMatchObject({ cancelled: true, charged: false });
  });
});

describe('bad input changes nothing', () => {
  it.each<[string, Record<string, unknown>, number, string]>([
    ['a code of neither platform', { code: '160000000000000000', amountFen: 100 }, 400, 'PAYMENT_CODE_UNKNOWN'],
    ['a bar code of a product', { code: '6901234567892', amountFen: 100 }, 400, 'PAYMENT_CODE_UNKNOWN'],
    ['an amount of 0', { code: '134567890123456789', amountFen: 0 }, 400, 'VALIDATION_FAILED'],
    ['a negative amount', { code: '134567890123456789', amountFen: -100 }, 400, 'VALIDATION_FAILED'],
    ['a fractional amount', { code: '134567890123456789', amountFen: 12.5 }, 400, 'VALIDATION_FAILED'],
    ['an amount as a string', { code: '134567890123456789', amountFen: '100' }, 400, 'VALIDATION_FAILED'],
    ['no code', { amountFen: 100 }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { code: '134567890123456789', amountFen: 100, tip: 1 }, 400, 'VALIDATION_FAILED'],
  ])('%s → %s', async (_name, body, httpStatus, code) => {
    const posTxnId = txn();
    const ordersBefore = wechat.codeOrders().length + alipay.codeTrades().length;
    const res = await pay({ posTxnId, ...body });
    expect(res.status).toBe(httpStatus);
    expect(res.body.code).toBe(code);
    expect(await sale(posTxnId)).toBeUndefined();
    expect(wechat.codeOrders().length + alipay.codeTrades().length).toBe(ordersBefore);
  });

  it('a campus code is sent to the campus QR route, and nothing is charged', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const phone = await bindPhone(platform.url, account.accountNo);
    const posTxnId = txn();
    const res = await pay({ posTxnId, code: phone.code(), amountFen: 100 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'PAYMENT_CODE_IS_CAMPUS_CODE', message: { en: expect.stringContaining('/v1/pos/qr-payments') } });
    expect(await sale(posTxnId)).toBeUndefined();
  });

  it('the service refuses an amount that is not a positive whole number of fen (callers other than the route)', async () => {
    await expect(payWithPaymentCode(platform.deps, await till(), { posTxnId: txn(), code: codes.wechat(), amountFen: 0 })).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
  });

  it('an id this terminal never used → not_found, and the id is closed: a POST arriving later is POS_TXN_CLOSED and the platform is never asked', async () => {
    const late = txn();
    const code = codes.wechat();
    const first = await status(late);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ posTxnId: late, status: 'not_found' });
    const refused = await pay({ posTxnId: late, code, amountFen: 100 });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'POS_TXN_CLOSED', message: { zh: expect.stringContaining('新的交易号') } });
    expect(await sale(late)).toBeUndefined();
    expect(chargesOf('wechat', code)).toEqual({ orders: 0, charged: 0 });
    // The id stays closed: asked again, still not_found; the service answers the same to other callers.
    expect((await status(late)).body).toEqual({ posTxnId: late, status: 'not_found' });
    await expect(payWithPaymentCode(platform.deps, await till(), { posTxnId: late, code, amountFen: 100 })).rejects.toMatchObject({ code: 'POS_TXN_CLOSED' });
    // Another terminal cannot see this one’s sale (its own id space: not_found there, and this sale untouched).
    const posTxnId = txn();
    await pay({ posTxnId, code: codes.wechat(), amountFen: 100 });
    const other = await createTestTerminal(platform.deps, { merchantId: MERCHANT });
    expect((await status(posTxnId, other)).body).toEqual({ posTxnId, status: 'not_found' });
    expect((await status(posTxnId)).body).toMatchObject({ status: 'paid' });
  });
});

describe.each<Channel>(['wechat', 'alipay'])('a %s sale’s lost answer never charges twice', (channel) => {
  it('the status query and the POST racing (many rounds): exactly one of (sale exists, id closed); a closed id charged nothing at the platform; the payer, retaken under a new id when told not_found, is charged once', async () => {
    const rounds = 16;
    const seen = { closed: 0, sold: 0 };
    const jitter = () => new Promise((resolve) => setTimeout(resolve, randomInt(25)));
    for (let round = 0; round < rounds; round++) {
      const code = codes[channel]();
      const posTxnId = txn();
      // Each side delayed by turns, so both orders of arrival happen.
      const [posted, queried] = await Promise.all([
        (async () => (round % 2 ? (await jitter(), pay({ posTxnId, code, amountFen: 300 })) : pay({ posTxnId, code, amountFen: 300 })))(),
        (async () => (round % 2 ? status(posTxnId) : (await jitter(), status(posTxnId))))(),
      ]);
      const slot = await getPaymentCodeSlot(platform.deps.db, terminal.terminalId, posTxnId);
      expect(slot).toBeDefined();
      const closed = 'closedAt' in slot!;
      const exists = 'sale' in slot!;
      expect(closed !== exists).toBe(true);
      if (closed) {
        seen.closed++;
        expect(queried.body).toEqual({ posTxnId, status: 'not_found' });
        expect(posted.status).toBe(409);
        expect(posted.body.code).toBe('POS_TXN_CLOSED');
        // The fake platform never saw the closed id's order: nothing taken.
        expect(chargesOf(channel, code)).toEqual({ orders: 0, charged: 0 });
        // The cashier takes the sale again under a new id.
        const again = await pay({ posTxnId: txn(), code, amountFen: 300 });
        expect(again.body).toMatchObject({ status: 'paid' });
      } else {
        seen.sold++;
        expect(posted.body).toMatchObject({ status: 'paid' });
        // Whatever the query said (waiting, or paid), it never said not_found: no retake.
        expect(['waiting', 'paid']).toContain(queried.body.status);
      }
      expect(chargesOf(channel, code).charged).toBe(1);
    }
    expect(seen.closed).toBeGreaterThan(0);
    expect(seen.sold).toBeGreaterThan(0);
  });
});

describe.each<Channel>(['wechat', 'alipay'])('the %s daily bill against payment-code sales', (channel) => {
  it('a sale booked to the merchant is matched in the bill through the clearing account; one the bill lacks is missing_from_bill', async () => {
    const kept = txn();
    const dropped = txn();
    expect((await pay({ posTxnId: kept, code: codes[channel](), amountFen: 640 })).body.status).toBe('paid');
    expect((await pay({ posTxnId: dropped, code: codes[channel](), amountFen: 360 })).body.status).toBe('paid');
    const droppedSale = (await sale(dropped))!;
    const fake = channel === 'wechat' ? wechat : alipay;
    fake.tamperBills({ drop: [droppedSale.orderId] });
    try {
      const report = await reconcileBills(platform.deps, campusDay(new Date()));
      expect(report.failures).toEqual([]);
      const { findings } = await listOpenFindings(platform.deps.db, { limit: 1000 });
      const about = (ref: string | undefined) => findings.filter((f) => f.ref === ref);
      expect(about((await sale(kept))!.platformTxnId)).toEqual([]);
      expect(about(droppedSale.platformTxnId)).toEqual([expect.objectContaining({ kind: 'missing_from_bill', channel, oursFen: 360, orderId: droppedSale.orderId })]);
      expect(findings.filter((f) => f.kind === 'unknown_payment' && f.channel === channel)).toEqual([]);
    } finally {
      fake.tamperBills(undefined);
    }
  });
});

describe('npm run resolve:payment-codes', () => {
  it('resolves what is open and prints its counts', async () => {
    await resolvePaymentCodes(later(120));
    const code = codes.wechat();
    wechat.codeBehaviour(code, { kind: 'password' });
    // Made a minute ago (an injected clock), so the script's real clock finds the wait over.
    const posTxnId = txn();
    expect(await payWithPaymentCode(later(-60), await till(), { posTxnId, code, amountFen: 330 })).toMatchObject({ status: 'waiting' });
    const { stdout } = await run('npm', ['run', 'resolve:payment-codes', '--silent'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TABLE_NAME: platform.tableName, WECHAT_PAY_CONFIG: JSON.stringify(wechat.config), ALIPAY_CONFIG: JSON.stringify(alipay.config) },
    });
    expect(stdout).toMatch(/1 checked, 0 paid, 0 refused, 1 cancelled, 0 still open, 0 failures/);
    expect(await sale(posTxnId)).toMatchObject({ state: 'voided', resolution: 'cancelled' });
  }, 60_000);
});

describe('at the end', () => {
  it('the ledger audit is clean: every sale posted or voided, each booked once, the books balance', async () => {
    await resolvePaymentCodes(later(120));
    const report = await auditLedger(platform.deps.db);
    expect(report.findings).toEqual([]);
    expect(await listOpenPending(platform.deps.db, 'payment_code')).toEqual([]);
    const { stdout } = await run('npm', ['run', 'audit', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
    expect(stdout).toMatch(/\b0 differences/);
    // The sales are in the books: the clearing accounts went negative by what came in through them.
    expect(stdout).toMatch(/clearing:wechat\s+-/);
    expect(stdout).toMatch(/clearing:alipay\s+-/);
  }, 60_000);
});

