/**
 * Utility payments over HTTP and through the retrier, against the fake network and power systems
 * and DynamoDB Local: the network fee never pays a week twice (also when two requests race, and when
 * another writer commits a week between the plan and its transaction), who may pay, idempotent
 * retries; electricity delivered exactly once while the power system is down, loses an answer, or
 * finally refuses (refunded), and timed-out deliveries cancelled at the system before the refund.
 * Bad input changes nothing, and the ledger audit is clean afterwards.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueHolderSession } from '../../functions/auth/holder-session';
import { readConfig } from '../../functions/config';
import { createDeps, type Deps } from '../../functions/deps';
import { campusDay } from '../../functions/domain/campus-day';
import { hashPassword } from '../../functions/domain/passwords';
import { PENDING_TIMEOUT_SECONDS } from '../../functions/domain/pending';
import { addWeeks, isoWeekOf, UTILITY_POLICY } from '../../functions/domain/utilities';
import { startFakeElectricity, type FakeElectricity } from '../../functions/local/fake-electricity';
import { startFakeNetwork, type FakeNetwork } from '../../functions/local/fake-network';
import { auditLedger } from '../../functions/services/audit';
import { deliverPendingUtilities, payNetworkFee } from '../../functions/services/utilities';
import { getAccount } from '../../functions/store/accounts';
import type { Db } from '../../functions/store/db';
import { keys } from '../../functions/store/keys';
import { savePasswordRecord } from '../../functions/store/passwords';
import { putMerchant } from '../../functions/store/terminals';
import { getUtilityDelivery, listPaidNetworkWeeks } from '../../functions/store/utilities';
import { createTestAccount, ledgerOf } from '../helpers/fixtures';
import { useFake } from '../helpers/fakes';
import { useTestPlatform } from '../helpers/platform';

let network: FakeNetwork;
let electricity: FakeElectricity;
useFake('NETWORK_CONFIG', () => startFakeNetwork(), (started) => (network = started));
useFake('ELECTRICITY_CONFIG', () => startFakeElectricity(), (started) => (electricity = started));
const platform = useTestPlatform({ http: true });

beforeAll(async () => {
  const createdAt = new Date().toISOString();
  await putMerchant(platform.deps.db, { merchantId: UTILITY_POLICY.networkMerchantId, name: '网络中心', category: 'utility', status: 'active', createdAt });
  await putMerchant(platform.deps.db, { merchantId: UTILITY_POLICY.electricityMerchantId, name: '宿舍电费', category: 'utility', status: 'active', createdAt });
});

let seq = 0;
const requestId = () => `req-${process.pid}-${++seq}-${Date.now()}`;
let roomSeq = 100;
/** A room of the demo campus no other test pays into. */
const freshRoom = () => `${1 + Math.floor(++roomSeq / 30) % 12}-${1 + (roomSeq % 6)}${String(1 + (roomSeq % 30)).padStart(2, '0')}`;
const currentWeek = () => isoWeekOf(campusDay(new Date()));

async function call(accountNo: string, method: 'GET' | 'POST', path: string, body?: unknown) {
  const token = await issueHolderSession(process.env.SESSION_SECRET!, accountNo, new Date());
  const response = await fetch(platform.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** A student whose network account the fake knows as `status`. */
async function student(status: 'registered' | 'suspended' | 'unknown' = 'registered', options: { balanceFen?: number; dailyLimitFen?: number } = {}) {
  const account = await createTestAccount(platform.deps, { balanceFen: options.balanceFen ?? 20_000, ...(options.dailyLimitFen !== undefined ? { dailyLimitFen: options.dailyLimitFen } : {}) });
  network.setAccount(account.personId, status);
  return account;
}

/** Deps over the same table with the clock moved on (the retrier some time later), a container of its own. */
function later(seconds: number, db: Db = platform.deps.db): Deps {
  return createDeps(readConfig(), { db, clock: () => new Date(Date.now() + seconds * 1000) });
}

const balanceOf = async (accountNo: string) => (await getAccount(platform.deps.db, accountNo))!.balanceFen;
const weeksOf = async (accountNo: string) => (await listPaidNetworkWeeks(platform.deps.db, accountNo)).map((w) => w.week).sort();
const fee = UTILITY_POLICY.networkWeeklyFeeFen;

describe('network fee by the week', () => {
  it('pays weeks from the first unpaid one, tells the network system, shows them, and refuses a week paid before', async () => {
    const account = await student();
    const view = await call(account.accountNo, 'GET', '/v1/holder/utilities');
    expect(view.status).toBe(200);
    expect(view.body.network).toMatchObject({ status: 'registered', eligible: true, currentWeek: currentWeek(), nextWeek: currentWeek(), weeklyFeeFen: fee, maxWeeks: 4, paidWeeks: [] });

    const paid = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: requestId(), fromWeek: currentWeek(), weeks: 2 });
    expect(paid.status).toBe(201);
    const weeks = [currentWeek(), addWeeks(currentWeek(), 1)];
    expect(paid.body).toMatchObject({ balanceFen: 20_000 - 2 * fee, replayed: false, payment: { system: 'network', amountFen: 2 * fee, weeks, delivery: 'delivered' } });
    expect(network.paidWeeks(account.personId)).toEqual(weeks);

    const after = await call(account.accountNo, 'GET', '/v1/holder/utilities');
    expect(after.body.network.nextWeek).toBe(addWeeks(currentWeek(), 2));
    expect(after.body.network.paidWeeks.map((w: { week: string }) => w.week)).toEqual(weeks);
    expect(after.body.payments[0]).toMatchObject({ receiptNo: paid.body.payment.receiptNo, delivery: 'delivered' });
    const history = await call(account.accountNo, 'GET', '/v1/holder/ledger');
    expect(history.body.entries[0]).toMatchObject({ type: 'utility_payment', amountFen: 2 * fee, merchantId: UTILITY_POLICY.networkMerchantId });

    // Overlapping the paid weeks: refused with the week named, nothing charged.
    const again = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: requestId(), fromWeek: addWeeks(currentWeek(), 1), weeks: 2 });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'NETWORK_WEEK_ALREADY_PAID', params: { week: addWeeks(currentWeek(), 1) } });
    // Skipping ahead of the first unpaid week: refused, the next week named.
    const skip = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: requestId(), fromWeek: addWeeks(currentWeek(), 3), weeks: 1 });
    expect(skip.body).toMatchObject({ code: 'NETWORK_WEEK_NOT_NEXT', params: { week: addWeeks(currentWeek(), 2) } });
    expect(await balanceOf(account.accountNo)).toBe(20_000 - 2 * fee);
    expect(await weeksOf(account.accountNo)).toEqual(weeks);
  });

  it('two concurrent requests for overlapping weeks (separate containers): exactly one pays', async () => {
    const account = await student();
    const attempts = await Promise.allSettled(
      [2, 3, 1, 4].map((weeks) => payNetworkFee(later(0), account.accountNo, { requestId: requestId(), fromWeek: currentWeek(), weeks })),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((l) => (l.reason as { code: string }).code)).toEqual(['NETWORK_WEEK_ALREADY_PAID', 'NETWORK_WEEK_ALREADY_PAID', 'NETWORK_WEEK_ALREADY_PAID']);
    const weeks = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof payNetworkFee>>>).value.payment.weeks!;
    expect(await weeksOf(account.accountNo)).toEqual(weeks);
    expect(await balanceOf(account.accountNo)).toBe(20_000 - weeks.length * fee);
    expect((await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.type === 'utility_payment')).toHaveLength(1);
  });

  it('a week committed by another writer after the plan read the paid weeks fails the payment on its week item', async () => {
    const account = await student();
    const real = platform.deps.db;
    let interfered = false;
    // Right after the plan's read of the paid weeks, another writer commits this week.
    const racing: Db = {
      tableName: real.tableName,
      doc: {
        send: (async (command: unknown) => {
          const answer = await real.doc.send(command as never);
          if (!interfered && command instanceof QueryCommand && String(command.input.ExpressionAttributeValues?.[':prefix']) === keys.networkWeekPrefix) {
            interfered = true;
            await real.doc.send(new PutCommand({ TableName: real.tableName, Item: { ...keys.networkWeek(account.accountNo, currentWeek()), accountNo: account.accountNo, week: currentWeek(), receiptNo: 'OTHER', paidAt: new Date().toISOString() } }));
          }
          return answer;
        }) as Db['doc']['send'],
      },
    };
    await expect(payNetworkFee(later(0, racing), account.accountNo, { requestId: requestId(), fromWeek: currentWeek(), weeks: 2 })).rejects.toMatchObject({ code: 'NETWORK_WEEK_ALREADY_PAID' });
    expect(interfered).toBe(true);
    expect(await balanceOf(account.accountNo)).toBe(20_000);
    expect(await weeksOf(account.accountNo)).toEqual([currentWeek()]);
  });

  it('a retry with the same request id answers as the first time, even after the network account is suspended; another request under it is a conflict', async () => {
    const account = await student();
    const id = requestId();
    const first = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: id, fromWeek: currentWeek(), weeks: 1 });
    expect(first.status).toBe(201);
    network.setAccount(account.personId, 'suspended');
    const retry = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: id, fromWeek: currentWeek(), weeks: 1 });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ replayed: true, payment: { receiptNo: first.body.payment.receiptNo } });
    network.setAccount(account.personId, 'registered');
    const other = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: id, fromWeek: currentWeek(), weeks: 2 });
    expect(other.body.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await balanceOf(account.accountNo)).toBe(20_000 - fee);
    expect(network.paidWeeks(account.personId)).toEqual([currentWeek()]);
  });

  it('above the daily limit it takes the consumption password, and the retry with it is the same payment', async () => {
    const account = await student('registered', { dailyLimitFen: 1_500 });
    await savePasswordRecord(platform.deps.db, account.accountNo, 'consumption', await hashPassword('135790', { now: new Date(), params: { N: 1024, r: 8, p: 1, keyLength: 32 } }), undefined);
    const id = requestId();
    const asked = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: id, fromWeek: currentWeek(), weeks: 2 });
    expect(asked.body.code).toBe('PASSWORD_REQUIRED');
    const wrong = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: id, fromWeek: currentWeek(), weeks: 2, consumptionPassword: '000000' });
    expect(wrong.body.code).toBe('PASSWORD_WRONG');
    expect(await balanceOf(account.accountNo)).toBe(20_000);
    const paid = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: id, fromWeek: currentWeek(), weeks: 2, consumptionPassword: '135790' });
    expect(paid.status).toBe(201);
    expect(await balanceOf(account.accountNo)).toBe(20_000 - 2 * fee);
  });

  const refusals: [string, () => Promise<{ accountNo: string }>, (week: string) => object, number, string][] = [
    ['a staff member', () => createTestAccount(platform.deps, { balanceFen: 20_000, cardType: 'staff' }), (w) => ({ fromWeek: w, weeks: 1 }), 409, 'NETWORK_FEE_STUDENTS_ONLY'],
    ['a student with no network account', () => student('unknown'), (w) => ({ fromWeek: w, weeks: 1 }), 409, 'NETWORK_ACCOUNT_NOT_REGISTERED'],
    ['a suspended network account', () => student('suspended'), (w) => ({ fromWeek: w, weeks: 1 }), 409, 'NETWORK_ACCOUNT_SUSPENDED'],
    ['5 weeks', () => student(), (w) => ({ fromWeek: w, weeks: 5 }), 400, 'NETWORK_WEEKS_OUT_OF_RANGE'],
    ['0 weeks', () => student(), (w) => ({ fromWeek: w, weeks: 0 }), 400, 'VALIDATION_FAILED'],
    ['1.5 weeks', () => student(), (w) => ({ fromWeek: w, weeks: 1.5 }), 400, 'VALIDATION_FAILED'],
    ['a malformed week', () => student(), () => ({ fromWeek: '2026-49', weeks: 1 }), 400, 'VALIDATION_FAILED'],
    ['a week that does not exist (2025 has 52)', () => student(), () => ({ fromWeek: '2025-W53', weeks: 1 }), 400, 'VALIDATION_FAILED'],
    ['a week in the past', () => student(), (w) => ({ fromWeek: addWeeks(w, -1), weeks: 1 }), 409, 'NETWORK_WEEK_NOT_NEXT'],
    ['more than the balance', () => student('registered', { balanceFen: 500 }), (w) => ({ fromWeek: w, weeks: 1 }), 409, 'INSUFFICIENT_BALANCE'],
    ['an unknown field', () => student(), (w) => ({ fromWeek: w, weeks: 1, amountFen: 1 }), 400, 'VALIDATION_FAILED'],
  ];
  it.each(refusals)('refuses %s with a clear code and changes nothing', async (_name, make, body, status, code) => {
    const account = await make();
    const before = await getAccount(platform.deps.db, account.accountNo);
    const answer = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: requestId(), ...body(currentWeek()) });
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expect(await getAccount(platform.deps.db, account.accountNo)).toEqual(before);
    expect(await weeksOf(account.accountNo)).toEqual([]);
  });

  it('while the network system is down the view says so and a payment cannot be checked (refused, nothing charged)', async () => {
    const account = await student();
    network.down();
    try {
      const view = await call(account.accountNo, 'GET', '/v1/holder/utilities');
      expect(view.body.network).toMatchObject({ status: 'unavailable', eligible: false });
      const paid = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: requestId(), fromWeek: currentWeek(), weeks: 1 });
      expect([paid.status, paid.body.code]).toEqual([503, 'NETWORK_SYSTEM_UNAVAILABLE']);
    } finally {
      network.up();
    }
    expect(await balanceOf(account.accountNo)).toBe(20_000);
  });

  it('weeks whose delivery fails are retried, and a network account gone meanwhile gets its money back and its weeks freed', async () => {
    const account = await student();
    network.injectFault('/fees', { kind: 'down' });
    const paid = await call(account.accountNo, 'POST', '/v1/holder/utilities/network-fee', { requestId: requestId(), fromWeek: currentWeek(), weeks: 2 });
    expect(paid.body.payment.delivery).toBe('pending');
    network.setAccount(account.personId, 'suspended');
    await deliverPendingUtilities(later(UTILITY_POLICY.deliveryRetryMaxSeconds));
    const delivery = await getUtilityDelivery(platform.deps.db, paid.body.payment.receiptNo);
    expect(delivery).toMatchObject({ state: 'voided', resolution: 'ACCOUNT_SUSPENDED' });
    expect(await balanceOf(account.accountNo)).toBe(20_000);
    expect(await weeksOf(account.accountNo)).toEqual([]);
    const refund = (await ledgerOf(platform.deps, account.accountNo)).find((e) => e.type === 'refund');
    expect(refund).toMatchObject({ refundOf: paid.body.payment.receiptNo, amountFen: 2 * fee, merchantId: UTILITY_POLICY.networkMerchantId, receiptNo: delivery!.refundReceiptNo });
  });
});

describe('electricity for a dormitory room', () => {
  const pay = (accountNo: string, body: object) => call(accountNo, 'POST', '/v1/holder/utilities/electricity', { requestId: requestId(), ...body });
  const deliveriesOf = (receiptNo: string) => electricity.deliveries().filter((d) => d.deliveryId === receiptNo);

  it('any holder pays for any room: delivered at once, credited once', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000, cardType: 'staff' });
    const room = freshRoom();
    const paid = await pay(account.accountNo, { roomId: room, amountFen: 3_000 });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ balanceFen: 7_000, payment: { system: 'electricity', roomId: room, amountFen: 3_000, delivery: 'delivered' } });
    expect(electricity.creditedFen(room)).toBe(3_000);
    const polled = await call(account.accountNo, 'GET', `/v1/holder/utilities/payments/${paid.body.payment.receiptNo}`);
    expect(polled.body.delivery).toBe('delivered');
    const stranger = await createTestAccount(platform.deps);
    expect((await call(stranger.accountNo, 'GET', `/v1/holder/utilities/payments/${paid.body.payment.receiptNo}`)).body.code).toBe('UTILITY_PAYMENT_NOT_FOUND');
  });

  it('while the power system is down: paid and pending, retried with backoff, delivered exactly once when it is back', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const room = freshRoom();
    electricity.down();
    const paid = await pay(account.accountNo, { roomId: room, amountFen: 2_000 });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ balanceFen: 8_000, payment: { delivery: 'pending' } });
    const receiptNo: string = paid.body.payment.receiptNo;
    const first = await getUtilityDelivery(platform.deps.db, receiptNo);
    expect(first).toMatchObject({ state: 'pending', attempts: 1 });

    // Still down: the retrier tries once more and puts the next try off further.
    await deliverPendingUtilities(later(UTILITY_POLICY.deliveryRetryFirstSeconds + 1));
    const second = await getUtilityDelivery(platform.deps.db, receiptNo);
    expect(second!.attempts).toBe(2);
    expect(second!.nextAttemptAt > first!.nextAttemptAt).toBe(true);
    // Not due yet: left alone.
    await deliverPendingUtilities(later(UTILITY_POLICY.deliveryRetryFirstSeconds + 1));
    expect((await getUtilityDelivery(platform.deps.db, receiptNo))!.attempts).toBe(2);

    electricity.up();
    await deliverPendingUtilities(later(UTILITY_POLICY.deliveryRetryMaxSeconds + 1));
    await deliverPendingUtilities(later(UTILITY_POLICY.deliveryRetryMaxSeconds * 2));
    expect(await getUtilityDelivery(platform.deps.db, receiptNo)).toMatchObject({ state: 'posted', resolution: 'delivered' });
    expect(deliveriesOf(receiptNo)).toHaveLength(1);
    expect(electricity.creditedFen(room)).toBe(2_000);
    expect((await call(account.accountNo, 'GET', `/v1/holder/utilities/payments/${receiptNo}`)).body.delivery).toBe('delivered');
  });

  it('an answer lost after the system credited it: the retry gets the original answer, nothing credited twice', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const room = freshRoom();
    electricity.injectFault('/recharges', { kind: 'drop' });
    const callsBefore = electricity.calls('/recharges');
    const paid = await pay(account.accountNo, { roomId: room, amountFen: 1_500 });
    expect(paid.body.payment.delivery).toBe('pending');
    expect(electricity.creditedFen(room)).toBe(1_500);
    await deliverPendingUtilities(later(UTILITY_POLICY.deliveryRetryMaxSeconds));
    expect(await getUtilityDelivery(platform.deps.db, paid.body.payment.receiptNo)).toMatchObject({ state: 'posted' });
    expect(electricity.calls('/recharges') - callsBefore).toBe(2);
    expect(electricity.creditedFen(room)).toBe(1_500);
    expect(await balanceOf(account.accountNo)).toBe(8_500);
  });

  it('a room the system finally refuses: the payment is refunded with the reason, once', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const room = freshRoom();
    electricity.down();
    const paid = await pay(account.accountNo, { roomId: room, amountFen: 4_000 });
    electricity.setRoom(room, 'closed');
    electricity.up();
    await Promise.all([deliverPendingUtilities(later(UTILITY_POLICY.deliveryRetryMaxSeconds)), deliverPendingUtilities(later(UTILITY_POLICY.deliveryRetryMaxSeconds))]);
    const delivery = await getUtilityDelivery(platform.deps.db, paid.body.payment.receiptNo);
    expect(delivery).toMatchObject({ state: 'voided', resolution: 'ROOM_CLOSED' });
    expect(await balanceOf(account.accountNo)).toBe(10_000);
    const refunds = (await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.type === 'refund');
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amountFen: 4_000, refundOf: paid.body.payment.receiptNo, receiptNo: delivery!.refundReceiptNo });
    expect(refunds[0]!.reason).toContain('ROOM_CLOSED');
    const polled = await call(account.accountNo, 'GET', `/v1/holder/utilities/payments/${paid.body.payment.receiptNo}`);
    expect(polled.body).toMatchObject({ delivery: 'refunded', refundReceiptNo: delivery!.refundReceiptNo });
    expect(electricity.creditedFen(room)).toBe(0);
  });

  it('past its timeout: cancelled at the system first, then refunded; one that landed after all (lost answer) is delivered, not refunded', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const [neverRoom, landedRoom] = [freshRoom(), freshRoom()];
    electricity.down();
    const never = await pay(account.accountNo, { roomId: neverRoom, amountFen: 1_000 });
    electricity.up();
    electricity.injectFault('/recharges', { kind: 'drop' });
    const landed = await pay(account.accountNo, { roomId: landedRoom, amountFen: 2_000 });
    electricity.down();
    await deliverPendingUtilities(later(60 * 60));
    electricity.up();
    const afterTimeout = later(PENDING_TIMEOUT_SECONDS.utility_delivery + 60);
    await deliverPendingUtilities(afterTimeout);
    expect(await getUtilityDelivery(platform.deps.db, never.body.payment.receiptNo)).toMatchObject({ state: 'expired', resolution: 'timeout' });
    expect(await getUtilityDelivery(platform.deps.db, landed.body.payment.receiptNo)).toMatchObject({ state: 'posted' });
    expect(deliveriesOf(never.body.payment.receiptNo)).toMatchObject([{ state: 'cancelled' }]);
    expect(electricity.creditedFen(neverRoom)).toBe(0);
    expect(electricity.creditedFen(landedRoom)).toBe(2_000);
    expect(await balanceOf(account.accountNo)).toBe(10_000 - 2_000);
  });

  const refusals: [string, (room: string) => object, number, string][] = [
    ['an unknown room', () => ({ roomId: '99-999', amountFen: 1_000 }), 404, 'ELECTRICITY_ROOM_UNKNOWN'],
    ['a malformed room', () => ({ roomId: '3/512', amountFen: 1_000 }), 400, 'VALIDATION_FAILED'],
    ['below the range', (room) => ({ roomId: room, amountFen: UTILITY_POLICY.electricityMinFen - 1 }), 400, 'ELECTRICITY_AMOUNT_OUT_OF_RANGE'],
    ['above the range', (room) => ({ roomId: room, amountFen: UTILITY_POLICY.electricityMaxFen + 1 }), 400, 'ELECTRICITY_AMOUNT_OUT_OF_RANGE'],
    ['a fractional amount', (room) => ({ roomId: room, amountFen: 100.5 }), 400, 'VALIDATION_FAILED'],
    ['more than the balance', (room) => ({ roomId: room, amountFen: 20_000 }), 409, 'INSUFFICIENT_BALANCE'],
  ];
  it.each(refusals)('refuses %s with a clear code and changes nothing', async (_name, body, status, code) => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000, dailyLimitFen: 60_000 });
    const before = await getAccount(platform.deps.db, account.accountNo);
    const room = freshRoom();
    const answer = await pay(account.accountNo, body(room));
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expect(await getAccount(platform.deps.db, account.accountNo)).toEqual(before);
    expect(electricity.creditedFen(room)).toBe(0);
  });

  it('a suspended utility merchant takes no payments (nothing charged)', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const merchant = { merchantId: UTILITY_POLICY.electricityMerchantId, name: '宿舍电费', category: 'utility' as const, createdAt: new Date().toISOString() };
    await putMerchant(platform.deps.db, { ...merchant, status: 'suspended' });
    try {
      const answer = await pay(account.accountNo, { roomId: freshRoom(), amountFen: 1_000 });
      expect([answer.status, answer.body.code]).toEqual([409, 'UTILITY_MERCHANT_UNAVAILABLE']);
    } finally {
      await putMerchant(platform.deps.db, { ...merchant, status: 'active' });
    }
    expect(await balanceOf(account.accountNo)).toBe(10_000);
  });

  it('refuses a closed room while the system answers', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const room = freshRoom();
    electricity.setRoom(room, 'closed');
    const answer = await pay(account.accountNo, { roomId: room, amountFen: 1_000 });
    expect([answer.status, answer.body.code]).toEqual([409, 'ELECTRICITY_ROOM_CLOSED']);
    expect(await balanceOf(account.accountNo)).toBe(10_000);
  });
});

describe('the books', () => {
  it('the ledger audit is clean after every payment, delivery and refund above', async () => {
    const report = await auditLedger(platform.deps.db);
    expect(report.findings).toEqual([]);
  });
});

describe('npm run deliver:utilities', () => {
  it('runs the retrier once on a stage table and prints its counts', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { PROJECT_ROOT } = await import('../../functions/local/serverless-config');
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    electricity.down();
    const paid = await call(account.accountNo, 'POST', '/v1/holder/utilities/electricity', { requestId: requestId(), roomId: freshRoom(), amountFen: 1_000 });
    electricity.up();
    expect(paid.body.payment.delivery).toBe('pending');
    const { stdout } = await promisify(execFile)('npm', ['run', 'deliver:utilities', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
    // Its next try is a minute away (backoff): the run leaves it waiting and says so.
    expect(stdout).toMatch(/utility deliveries of .*: \d+ open, 0 delivered, 0 refunded, 0 still failing \(retried later\), [1-9]\d* waiting for their next try, 0 failures/);
    expect((await getUtilityDelivery(platform.deps.db, paid.body.payment.receiptNo))!.state).toBe('pending');
  }, 60_000);
});
