/**
 * Guardian deposits (issue 18 item 1) on DynamoDB Local, over the HTTP API and the fake platforms'
 * real signed protocols: find and confirm (one refusal for every mismatch, nothing written, counted
 * per caller), the deposit credited once through the top-up path with the payer on its entry, the
 * daily cap per payer under concurrency, and the payer's receipt.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { readConfig } from '../../functions/config';
import { createDeps } from '../../functions/deps';
import { planPurchase } from '../../functions/domain/movement-plans';
import { auditLedger } from '../../functions/services/audit';
import { actionLogDay } from '../../functions/services/admin/action-log';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { refundByCardCentre } from '../../functions/services/refunds';
import { reconcilePendingOrders } from '../../functions/services/topups';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { startFakeWechatLogin, type FakeWechatLogin } from '../../functions/local/fake-wechat-login';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { confirmGuardianHolder, createGuardianDeposit, guardianDeposit } from '../../functions/services/guardian-deposits';
import { getAccount } from '../../functions/store/accounts';
import { depositedToday, getGuardianRefund } from '../../functions/store/guardian-deposits';
import { getOrder } from '../../functions/store/orders';
import { putPolicy } from '../../functions/store/policy';
import { campusDay } from '../../shared/campus-day';
import { createTestAccount, ledgerOf, refusalCode, setAccountStatus } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useFake } from '../helpers/fakes';
import { useTestPlatform } from '../helpers/platform';

let wechat: FakeWechatPay;
let alipay: FakeAlipay;
let wechatLogin: FakeWechatLogin;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
useFake('ALIPAY_CONFIG', startFakeAlipay, (started) => (alipay = started));
useFake('WECHAT_LOGIN_CONFIG', startFakeWechatLogin, (started) => (wechatLogin = started));
const platform = useTestPlatform({ http: true });

let callers = 0;
/** A caller of its own (its address), so one test's look-ups never lock another's. */
const caller = () => `ip:198.51.100.${++callers}`;

async function student(name = '张三明', status?: 'cancelled' | 'expired' | 'lost') {
  const account = await createTestAccount(platform.deps, { holderName: name, ...(status ? { status } : {}) });
  return { accountNo: account.accountNo, personId: account.personId, name };
}

/** Everything a guardian deposit can write besides the look-up counter: orders for the account, and payers' day counters. */
async function depositItems(accountNo: string) {
  const { Items = [] } = await platform.deps.db.doc.send(new ScanCommand({ TableName: platform.tableName }));
  return Items.filter((item) => (String(item.pk).startsWith('ORDER#') && item.accountNo === accountNo) || String(item.pk).startsWith('GUARDIANCAP#'));
}

describe('find and confirm', () => {
  it('answers the masked name only when the id and the name match', async () => {
    const holder = await student();
    const answer = await platform.request('POST', '/v1/guardian/holders', { body: { personId: holder.personId, name: ' 张三明' } });
    expect(answer).toMatchObject({ status: 200, body: { maskedName: '张*明' } });
    expect(JSON.stringify(answer.body)).not.toContain(holder.accountNo);
  });

  it('an unknown id, another name, a closed or an expired account: the same refusal, and no order or counter written', async () => {
    const holder = await student();
    const closed = await student('李四', 'cancelled');
    const expired = await student('王五六', 'expired');
    const tries = [
      { personId: 'NOSUCH0001', name: '张三明' },
      { personId: holder.personId, name: '张三' },
      { personId: holder.personId, name: '张*明' },
      { personId: closed.personId, name: closed.name },
      { personId: expired.personId, name: expired.name },
    ];
    const refusals = [];
    for (const body of tries) {
      const lookup = await platform.request('POST', '/v1/guardian/holders', { body });
      const deposit = await platform.request('POST', '/v1/guardian/deposits', { body: { ...body, amountFen: 5_000, channel: 'wechat', payerLabel: '妈妈' } });
      for (const answer of [lookup, deposit]) {
        expect(answer.status).toBe(404);
        const { requestId: _id, ...rest } = answer.body;
        refusals.push(rest);
      }
    }
    // Word for word the same, whatever did not match.
    expect(new Set(refusals.map((refusal) => JSON.stringify(refusal))).size).toBe(1);
    expect(refusals[0]).toMatchObject({ code: 'GUARDIAN_HOLDER_NOT_FOUND', message: { zh: expect.stringContaining('学工号与姓名不符') } });
    for (const { accountNo } of [holder, closed, expired]) expect(await depositItems(accountNo)).toEqual([]);
    expect(wechat.orders()).toEqual([]);
  });

  it('bad input is refused before anything is looked up or written', async () => {
    const holder = await student();
    for (const body of [
      { personId: holder.personId, name: holder.name, amountFen: 99, channel: 'wechat', payerLabel: '妈妈' },
      { personId: holder.personId, name: holder.name, amountFen: 5_000, channel: 'wechat', payerLabel: '一二三四五六七八九' },
      { personId: holder.personId, name: holder.name, amountFen: 5_000, channel: 'bank', payerLabel: '妈妈' },
    ]) {
      const answer = await platform.request('POST', '/v1/guardian/deposits', { body });
      expect(answer.status).toBe(400);
      expect(['VALIDATION_FAILED', 'TOPUP_AMOUNT_OUT_OF_RANGE']).toContain(answer.body.code);
    }
    expect(await depositItems(holder.accountNo)).toEqual([]);
  });

  it('counts every try per caller, found or not, and then refuses even the right pair for a while', async () => {
    const holder = await student();
    const who = caller();
    const right = { personId: holder.personId, name: holder.name };
    // Successes do not take tries back: a known pair cannot reset someone's guessing.
    for (let i = 0; i < 10; i++) expect(await confirmGuardianHolder(platform.deps, who, right)).toEqual({ maskedName: '张*明' });
    const tries = await Promise.all(Array.from({ length: 25 }, (_, i) => refusalCode(confirmGuardianHolder(platform.deps, who, { personId: holder.personId, name: `某${i}` }))));
    expect(tries.filter((code) => code === 'GUARDIAN_HOLDER_NOT_FOUND').length).toBe(19);
    expect(tries.filter((code) => code === 'GUARDIAN_LOOKUP_LOCKED').length).toBe(6);
    expect(await refusalCode(confirmGuardianHolder(platform.deps, who, right))).toBe('GUARDIAN_LOOKUP_LOCKED');
    // Another caller is not held up.
    expect(await confirmGuardianHolder(platform.deps, caller(), right)).toEqual({ maskedName: '张*明' });
  });
});

describe('a deposit', () => {
  it('is credited once through the top-up path, shows the payer to the holder, and the payer sees the masked name and status', async () => {
    const holder = await student();
    const created = await platform.request('POST', '/v1/guardian/deposits', {
      body: { personId: holder.personId, name: holder.name, amountFen: 8_800, channel: 'wechat', payerLabel: '妈妈' },
    });
    expect(created.status).toBe(201);
    const orderId: string = created.body.deposit.orderId;
    expect(created.body).toMatchObject({ deposit: { maskedName: '张*明', payerLabel: '妈妈', amountFen: 8_800, status: 'pending', channel: 'wechat' }, wechat: { signType: 'RSA' } });
    // The payer is on the order before the platform was asked.
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ accountNo: holder.accountNo, guardian: { platform: 'wechat', label: '妈妈', identifiedBy: 'address' } });
    expect(wechat.orders().find((o) => o.outTradeNo === orderId)?.description).toContain('妈妈代充');

    expect(await wechat.pay(orderId, { payerOpenId: 'oParentWhoPaid000000000001' })).toBe(200);
    // Ordered from a browser (a stand-in payer): the payment's own payer is recorded.
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'paid', paidBy: 'oParentWhoPaid000000000001' });
    // WeChat's retries of the same notification, and the payer's polling, credit nothing more.
    await wechat.renotify(orderId, { times: 3 });
    const receipt = await platform.request('GET', `/v1/guardian/deposits/${orderId}`);
    expect(receipt).toMatchObject({ status: 200, body: { orderId, status: 'paid', maskedName: '张*明', payerLabel: '妈妈', paidAt: expect.any(String) } });
    expect(JSON.stringify(receipt.body)).not.toContain('张三明');

    expect((await getAccount(platform.deps.db, holder.accountNo))?.balanceFen).toBe(8_800);
    const credits = (await ledgerOf(platform.deps, holder.accountNo)).filter((e) => e.type === 'topup');
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({ amountFen: 8_800, channel: 'wechat', orderId, guardianLabel: '妈妈' });
    // What the holder's app shows.
    const history = await platform.request('GET', '/v1/holder/ledger', { token: await holderToken(holder.accountNo) });
    expect(history.body.entries[0]).toMatchObject({ type: 'topup', channel: 'wechat', guardianLabel: '妈妈', amountFen: 8_800 });
    const one = await platform.request('GET', `/v1/holder/ledger/${credits[0]!.receiptNo}`, { token: await holderToken(holder.accountNo) });
    expect(one.body).toMatchObject({ guardianLabel: '妈妈' });
  });

  it('on Alipay too, the payer known by their login code (the order and the cap are theirs)', async () => {
    const holder = await student('欧阳娜娜', 'lost');
    const authCode = alipay.issueAuthCode('2088000000000777');
    const created = await createGuardianDeposit(platform.deps, caller(), { personId: holder.personId, name: holder.name, amountFen: 2_000, channel: 'alipay', payerLabel: 'Dad', loginCode: authCode });
    expect(created.deposit).toMatchObject({ maskedName: '欧**娜', status: 'pending' });
    expect(await getOrder(platform.deps.db, created.deposit.orderId)).toMatchObject({ payerId: '2088000000000777', guardian: { payerId: '2088000000000777', identifiedBy: 'login', label: 'Dad' } });
    expect(await depositedToday(platform.deps.db, 'alipay', '2088000000000777', campusDay(new Date()))).toBe(2_000);
    expect(await alipay.pay(created.deposit.orderId)).toBe(200);
    expect((await guardianDeposit(platform.deps, created.deposit.orderId)).status).toBe('paid');
    expect((await ledgerOf(platform.deps, holder.accountNo)).filter((e) => e.type === 'topup')).toMatchObject([{ amountFen: 2_000, channel: 'alipay', guardianLabel: 'Dad' }]);
  });

  it('a WeChat login code names the payer; a code the platform does not know is refused with nothing written', async () => {
    const holder = await student();
    const code = wechatLogin.issueCode('oGuardianOpenId000000000001');
    const created = await createGuardianDeposit(platform.deps, caller(), { personId: holder.personId, name: holder.name, amountFen: 1_000, channel: 'wechat', payerLabel: '外婆', loginCode: code });
    expect(wechat.orders().find((o) => o.outTradeNo === created.deposit.orderId)?.payerOpenId).toBe('oGuardianOpenId000000000001');
    const before = await depositItems(holder.accountNo);
    expect(await refusalCode(createGuardianDeposit(platform.deps, caller(), { personId: holder.personId, name: holder.name, amountFen: 1_000, channel: 'wechat', payerLabel: '外婆', loginCode: code }))).toBe('UNAUTHENTICATED');
    expect(await depositItems(holder.accountNo)).toEqual(before);
  });

  it('an unknown order is not found, and a holder’s own top-up is not a guardian deposit', async () => {
    const holder = await student();
    expect((await platform.request('GET', `/v1/guardian/deposits/T${ulid()}`)).body.code).toBe('GUARDIAN_DEPOSIT_NOT_FOUND');
    const own = await platform.request('POST', '/v1/holder/topups', { token: await holderToken(holder.accountNo), body: { amountFen: 1_000, channel: 'wechat', payerId: 'oHolderOwn' } });
    expect(own.status).toBe(201);
    expect((await platform.request('GET', `/v1/guardian/deposits/${own.body.order.orderId}`)).body.code).toBe('GUARDIAN_DEPOSIT_NOT_FOUND');
  });
});

describe('the daily cap per payer', () => {
  it('concurrent orders never pass it: exactly what fits is ordered, the rest refused with what is left', async () => {
    await putPolicy(platform.deps.db, { ...DEFAULT_POLICY, guardianDailyCapFen: 10_000 }, 'test', new Date());
    try {
      const [first, second] = [await student(), await student('李小龙')];
      const who = caller();
      const deposit = (holder: typeof first, amountFen: number) =>
        createGuardianDeposit(platform.deps, who, { personId: holder.personId, name: holder.name, amountFen, channel: 'wechat', payerLabel: '妈妈' });
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => deposit(i % 2 ? second : first, 3_000)));
      const made = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(made).toHaveLength(3);
      expect(refused).toHaveLength(3);
      for (const reason of refused) expect(reason).toMatchObject({ code: 'GUARDIAN_DAILY_CAP_REACHED', params: { max: '100', left: '10' } });
      expect(refused[0]).toBeInstanceOf(AppError);
      // Both accounts together: the cap is the payer's, not the account's.
      const items = [...(await depositItems(first.accountNo)), ...(await depositItems(second.accountNo))].filter((item) => String(item.pk).startsWith('ORDER#'));
      expect(items).toHaveLength(3);
      const payerId = (await getOrder(platform.deps.db, String(items[0]!.orderId)))!.payerId;
      expect(await depositedToday(platform.deps.db, 'wechat', payerId, campusDay(new Date()))).toBe(9_000);
      // The last 10 yuan still fit; a deposit above the cap never does, and writes nothing.
      await deposit(first, 1_000);
      expect(await refusalCode(deposit(first, 100))).toBe('GUARDIAN_DAILY_CAP_REACHED');
      await expect(deposit(second, 10_100)).rejects.toMatchObject({ code: 'GUARDIAN_DAILY_CAP_REACHED', params: { max: '100', left: '0' } });
      expect(await depositedToday(platform.deps.db, 'wechat', payerId, campusDay(new Date()))).toBe(10_000);
      // Another payer has a day of their own.
      await createGuardianDeposit(platform.deps, caller(), { personId: first.personId, name: first.name, amountFen: 3_000, channel: 'wechat', payerLabel: '爸爸' });
    } finally {
      await putPolicy(platform.deps.db, DEFAULT_POLICY, 'test', new Date());
    }
  });

  it('an order the platform could not take gives its room back', async () => {
    await putPolicy(platform.deps.db, { ...DEFAULT_POLICY, guardianDailyCapFen: 5_000 }, 'test', new Date());
    try {
      const holder = await student();
      const who = caller();
      const deposit = () => createGuardianDeposit(platform.deps, who, { personId: holder.personId, name: holder.name, amountFen: 5_000, channel: 'wechat', payerLabel: '妈妈' });
      wechat.setDown(true);
      try {
        expect(await refusalCode(deposit())).toBe('PAYMENT_CHANNEL_UNAVAILABLE');
      } finally {
        wechat.setDown(false);
      }
      expect((await deposit()).deposit.status).toBe('pending');
    } finally {
      await putPolicy(platform.deps.db, DEFAULT_POLICY, 'test', new Date());
    }
  });

  it('the holder’s own top-up limits still apply, and a closed account takes no deposit after all', async () => {
    const holder = await student();
    const before = await depositItems(holder.accountNo);
    expect(await refusalCode(createGuardianDeposit(platform.deps, caller(), { personId: holder.personId, name: holder.name, amountFen: 100_000, channel: 'wechat', payerLabel: '妈妈' }))).toBe('TOPUP_AMOUNT_OUT_OF_RANGE');
    await setAccountStatus(platform.deps, holder.accountNo, 'cancelled');
    expect(await refusalCode(createGuardianDeposit(platform.deps, caller(), { personId: holder.personId, name: holder.name, amountFen: 1_000, channel: 'wechat', payerLabel: '妈妈' }))).toBe('GUARDIAN_HOLDER_NOT_FOUND');
    expect(await depositItems(holder.accountNo)).toEqual(before);
  });
});

describe('a refund goes back to the payer', () => {
  const operator = { username: 'card-op-1', role: 'operator' as const };
  const later = () => createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() + 120_000), payments: platform.deps.payments });

  async function paidDeposit(amountFen: number, channel: 'wechat' | 'alipay' = 'wechat') {
    const holder = await student();
    const { deposit } = await createGuardianDeposit(platform.deps, caller(), { personId: holder.personId, name: holder.name, amountFen, channel, payerLabel: '妈妈' });
    expect(await (channel === 'wechat' ? wechat.pay(deposit.orderId) : alipay.pay(deposit.orderId))).toBe(200);
    const receiptNo = (await getOrder(platform.deps.db, deposit.orderId))!.receiptNo!;
    return { ...holder, orderId: deposit.orderId, receiptNo };
  }

  it('the whole deposit leaves the holder’s balance and the platform refunds the payer; the holder and the payer both see it', async () => {
    const paid = await paidDeposit(6_600);
    const posted = await refundByCardCentre(platform.deps, operator, { refundId: 'GR-1', receiptNo: paid.receiptNo, amountFen: 6_600, reason: '家长要求退回' });
    expect(posted).toMatchObject({ receiptNo: paid.receiptNo, amountFen: 6_600, balanceFen: 0, refundCause: 'guardian_deposit', merchantId: '', replayed: false });
    // The platform refunded the payment it took: back to the payer's own WeChat Pay, once.
    expect(wechat.refunds().filter((r) => r.outTradeNo === paid.orderId).map((r) => r.amountFen)).toEqual([6_600]);
    // WeChat first says PROCESSING; the reconciler asks again and finds it done.
    await reconcilePendingOrders(later());
    expect(await guardianDeposit(platform.deps, paid.orderId)).toMatchObject({ status: 'refunded', refund: { amountFen: 6_600, refundedAt: expect.any(String) } });
    expect(wechat.refunds().filter((r) => r.outTradeNo === paid.orderId)).toHaveLength(1);

    expect((await getAccount(platform.deps.db, paid.accountNo))?.balanceFen).toBe(0);
    const entry = (await ledgerOf(platform.deps, paid.accountNo)).find((e) => e.type === 'deposit_refund');
    expect(entry).toMatchObject({ amountFen: 6_600, delta: { balanceFen: -6_600 }, channel: 'wechat', guardianLabel: '妈妈', refundOf: paid.receiptNo, orderId: paid.orderId });
    expect(entry?.transfers).toEqual([{ debit: `holder:${paid.accountNo}:balance`, credit: 'clearing:wechat', amountFen: 6_600 }]);
    const history = await platform.request('GET', '/v1/holder/ledger', { token: await holderToken(paid.accountNo) });
    expect(history.body.entries.map((e: { type: string; guardianLabel?: string }) => [e.type, e.guardianLabel])).toEqual([
      ['deposit_refund', '妈妈'],
      ['topup', '妈妈'],
    ]);
    // The books still balance, entry by entry.
    const audit = await auditLedger(platform.deps.db);
    expect(audit.findings.filter((f) => JSON.stringify(f).includes(paid.accountNo))).toEqual([]);
  });

  it('a retry is the same refund; another refund of the same deposit, concurrent or later, is refused', async () => {
    const paid = await paidDeposit(3_000, 'alipay');
    const refund = (refundId: string) => refundByCardCentre(platform.deps, operator, { refundId, receiptNo: paid.receiptNo, amountFen: 3_000, reason: '家长要求退回' });
    const outcomes = await Promise.allSettled([refund('GR-2a'), refund('GR-2b'), refund('GR-2c')]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'REFUND_EXCEEDS_PURCHASE' });
    const winner = ['GR-2a', 'GR-2b', 'GR-2c'][outcomes.findIndex((o) => o.status === 'fulfilled')]!;
    expect(await refund(winner)).toMatchObject({ replayed: true, amountFen: 3_000 });
    expect(alipay.refunds().filter((r) => r.outTradeNo === paid.orderId)).toHaveLength(1);
    expect((await getAccount(platform.deps.db, paid.accountNo))?.balanceFen).toBe(0);
    expect((await ledgerOf(platform.deps, paid.accountNo)).filter((e) => e.type === 'deposit_refund')).toHaveLength(1);
    expect(await guardianDeposit(platform.deps, paid.orderId)).toMatchObject({ status: 'refunded' });
  });

  it('over the card centre’s own refund route: the deposit’s receipt goes back to the payer, a part of it is refused', async () => {
    const staff = { username: 'op.guardian', password: 'guardian operator 2026', role: 'operator' as const };
    await createStaffMember(platform.deps, staff);
    const token = (await platform.request('POST', '/v1/admin/sessions', { body: { username: staff.username, password: staff.password } })).body.token as string;
    const paid = await paidDeposit(1_200);
    const part = await platform.request('POST', '/v1/admin/refunds', { token, body: { refundId: 'GR-5a', receiptNo: paid.receiptNo, amountFen: 1_000, reason: '家长要求退回' } });
    expect(part).toMatchObject({ status: 409, body: { code: 'GUARDIAN_REFUND_WHOLE_DEPOSIT', message: { zh: '家长充值只能全额原路退回（12 元）' } } });
    const whole = await platform.request('POST', '/v1/admin/refunds', { token, body: { refundId: 'GR-5b', receiptNo: paid.receiptNo, amountFen: 1_200, reason: '家长要求退回' } });
    expect(whole).toMatchObject({ status: 200, body: { receiptNo: paid.receiptNo, amountFen: 1_200, balanceFen: 0, refundCause: 'guardian_deposit', merchantId: '', accountNo: paid.accountNo } });
    expect(wechat.refunds().filter((r) => r.outTradeNo === paid.orderId).map((r) => r.amountFen)).toEqual([1_200]);
    const log = await actionLogDay(platform.deps, { day: campusDay(new Date()), limit: 100 });
    expect(log.entries).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'refund.guardian_deposit', who: staff.username, target: `account:${paid.accountNo}` })]));
  });

  it('only whole, only while the holder still has it: otherwise refused with nothing written', async () => {
    const paid = await paidDeposit(5_000);
    expect(await refusalCode(refundByCardCentre(platform.deps, operator, { refundId: 'GR-3', receiptNo: paid.receiptNo, amountFen: 2_000, reason: '部分退回' }))).toBe('GUARDIAN_REFUND_WHOLE_DEPOSIT');
    // The holder spent some of it: the rest is not the payer's to take.
    await platform.deps.movements.post({
      accountNo: paid.accountNo,
      idempotencyKey: `test#spend#${paid.accountNo}`,
      fingerprint: 'spend',
      plan: (account, today) => planPurchase(account, { amountFen: 1_000, channel: 'pos', externalRef: `spend-${paid.accountNo}`, merchantId: 'M1', terminalId: 'POS-1' }, today),
    });
    expect(await refusalCode(refundByCardCentre(platform.deps, operator, { refundId: 'GR-4', receiptNo: paid.receiptNo, amountFen: 5_000, reason: '家长要求退回' }))).toBe('INSUFFICIENT_BALANCE');
    expect((await getAccount(platform.deps.db, paid.accountNo))?.balanceFen).toBe(4_000);
    expect((await ledgerOf(platform.deps, paid.accountNo)).filter((e) => e.type === 'deposit_refund')).toEqual([]);
    expect(await getGuardianRefund(platform.deps.db, paid.orderId)).toBeUndefined();
    expect(wechat.refunds().filter((r) => r.outTradeNo === paid.orderId)).toEqual([]);
  });
});
