/** The outbox's pure rules: event ids, the low-balance crossing, and the template fields within the platforms' limits. */
import { describe, expect, it } from 'vitest';
import {
  crossesLowBalance,
  eventIdOf,
  FIELD_LIMITS,
  messagePage,
  movementEvents,
  movementSourceId,
  statusEvents,
  templateData,
  truncateField,
  yuan,
  beijingMinute,
  messageValues,
  OUTBOX_EVENT_KINDS,
  refusalWords,
  reloadRefusalEvents,
  reloadRefusalSourceId,
  TEMPLATE_FIELDS,
  type OutboxEvent,
} from '../../functions/domain/outbox';
import type { LedgerEntry } from '../../functions/domain/ledger';

function purchase(beforeFen: number, amountFen: number, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    entryId: '01KBX0000000000000000000AA',
    receiptNo: '01KBX0000000000000000000AA',
    accountNo: '100123',
    type: 'purchase',
    amountFen,
    delta: { balanceFen: -amountFen, transitionalFen: 0, smallWalletFen: 0 },
    after: { balanceFen: beforeFen - amountFen, transitionalFen: 0, smallWalletFen: 0 },
    channel: 'qr',
    merchantId: 'M1',
    terminalId: 'POS-1',
    externalRef: 'q1',
    transfers: [{ debit: 'holder:100123:balance', credit: 'merchant:M1:payable', amountFen }],
    createdAt: '2026-12-01T04:05:06.000Z',
    campusDay: '2026-12-01',
    ...overrides,
  } as LedgerEntry;
}

describe('event ids', () => {
  it('derive from the change itself: the same entry always gives the same ids, another entry others', () => {
    const first = movementEvents(purchase(5_000, 1_200), {});
    expect(first).toEqual(movementEvents(purchase(5_000, 1_200), {}));
    expect(first.map((event) => event.eventId)).toEqual([eventIdOf(movementSourceId('100123', '01KBX0000000000000000000AA'), 'payment')]);
    const other = movementEvents(purchase(5_000, 1_200, { entryId: '01KBX0000000000000000000AB' }), {});
    expect(other[0]!.eventId).not.toBe(first[0]!.eventId);
  });

  it('a status change is named by the account version it wrote; only loss and unfreeze tell', () => {
    expect(statusEvents('100123', 'active', 'lost', 8, '2026-12-01T00:00:00.000Z')).toEqual([
      { eventId: 'S#100123#8#loss', kind: 'loss', accountNo: '100123', at: '2026-12-01T00:00:00.000Z', fromStatus: 'active' },
    ]);
    expect(statusEvents('100123', 'lost', 'active', 9, 'x')[0]!.eventId).toBe('S#100123#9#unfreeze');
    expect(statusEvents('100123', 'frozen', 'active', 9, 'x')[0]!.kind).toBe('unfreeze');
    expect(statusEvents('100123', 'active', 'frozen', 9, 'x')).toEqual([]);
    expect(statusEvents('100123', 'active', 'cancelled', 9, 'x')).toEqual([]);
  });

  it('payments and top-ups make events; card loads, refunds and levelling make none', () => {
    const topup = purchase(0, 0, {
      type: 'topup',
      amountFen: 5_000,
      delta: { balanceFen: 5_000, transitionalFen: 0, smallWalletFen: 0 },
      after: { balanceFen: 5_000, transitionalFen: 0, smallWalletFen: 0 },
      channel: 'wechat',
    } as Partial<LedgerEntry>);
    expect(movementEvents(topup, {})).toMatchObject([{ kind: 'topup', amountFen: 5_000, balanceAfterFen: 5_000, channel: 'wechat' }]);
    const cardLoad = purchase(0, 0, { type: 'card_load', amountFen: 100, delta: { balanceFen: 100, transitionalFen: -100, smallWalletFen: 0 } } as Partial<LedgerEntry>);
    expect(movementEvents(cardLoad, {})).toEqual([]);
    const refund = purchase(0, 0, { type: 'refund', amountFen: 100, delta: { balanceFen: 100, transitionalFen: 0, smallWalletFen: 0 } } as Partial<LedgerEntry>);
    expect(movementEvents(refund, {})).toEqual([]);
  });
});

describe('the low-balance crossing', () => {
  it('is once per crossing: from at or above the threshold to below it', () => {
    expect(crossesLowBalance(2_000, 1_999, 2_000)).toBe(true);
    expect(crossesLowBalance(5_000, 100, 2_000)).toBe(true);
    expect(crossesLowBalance(1_999, 1_000, 2_000)).toBe(false); // already below: told before
    expect(crossesLowBalance(5_000, 2_000, 2_000)).toBe(false); // at the threshold is not below it
    expect(crossesLowBalance(5_000, 0, undefined)).toBe(false); // no threshold, no alert
    expect(crossesLowBalance(5_000, 0, 0)).toBe(false);
  });

  it('a crossing payment makes a payment and a low_balance event in one item; the next payment below makes only the payment', () => {
    const crossing = movementEvents(purchase(2_500, 1_000), { lowBalanceAlertFen: 2_000 });
    expect(crossing.map((event) => event.kind)).toEqual(['payment', 'low_balance']);
    expect(crossing[1]).toMatchObject({ thresholdFen: 2_000, balanceAfterFen: 1_500 });
    expect(movementEvents(purchase(1_500, 1_000), { lowBalanceAlertFen: 2_000 }).map((event) => event.kind)).toEqual(['payment']);
  });
});

describe('template fields', () => {
  it('a thing is cut to 20 characters (by character, ending with …), a phrase to 5, a character_string to 32 printable ASCII', () => {
    const long = '第一食堂二楼清真窗口（东区）风味小炒自选快餐';
    expect([...truncateField('thing', long)]).toHaveLength(FIELD_LIMITS.thing);
    expect(truncateField('thing', long).endsWith('…')).toBe(true);
    expect(truncateField('thing', '第一食堂')).toBe('第一食堂');
    expect(truncateField('phrase', '已挂失处理完成')).toBe('已挂失处理');
    expect(truncateField('character_string', '学号 2026 ABC 校园卡 '.repeat(5))).toMatch(/^[\x21-\x7e]{1,32}$/);
    expect(truncateField('thing', '😀'.repeat(25))).toBe('😀'.repeat(19) + '…');
  });

  it('a payment message: place, amount, balance, Beijing time; every value within its limit', () => {
    const [payment] = movementEvents(purchase(5_000, 1_234), {});
    const data = templateData(payment!, '第一食堂二楼清真窗口（东区）风味小炒自选快餐');
    expect(Object.keys(data)).toEqual(['thing1', 'amount2', 'amount3', 'time4']);
    expect(data.amount2!.value).toBe('12.34元');
    expect(data.amount3!.value).toBe('37.66元');
    expect(data.time4!.value).toBe('2026-12-01 12:05');
    for (const [key, { value }] of Object.entries(data)) {
      const type = key.replace(/\d+$/, '') as keyof typeof FIELD_LIMITS;
      expect([...value].length).toBeLessThanOrEqual(FIELD_LIMITS[type]);
    }
    expect(messagePage(payment!)).toBe('pages/receipt/index?receiptNo=01KBX0000000000000000000AA');
  });

  it('loss and unfreeze name the account by its last digits only', () => {
    const [loss] = statusEvents('20261234', 'active', 'lost', 3, '2026-12-01T16:30:00.000Z') as OutboxEvent[];
    const data = templateData(loss!, undefined);
    expect(data.character_string1!.value).toBe('****1234');
    expect(data.phrase2!.value).toBe('已挂失');
    expect(data.time3!.value).toBe('2026-12-02 00:30');
    expect(messagePage(loss!)).toBe('pages/card/index');
  });

  it('yuan and Beijing minutes', () => {
    expect(yuan(5)).toBe('0.05元');
    expect(yuan(120_000)).toBe('1200.00元');
    expect(beijingMinute('2026-12-31T16:00:00.000Z')).toBe('2027-01-01 00:00');
  });
});

describe('automatic reload messages (issue 18 item 2)', () => {
  const order = { orderId: 'R0123456789abcdef0123456789abcde', accountNo: '20261234', amountFen: 5_000, channel: 'wechat' as const, trigger: 'auto_reload' as const };

  it("a refused reload's event id derives from its order id: the same order always the same id, another order another; an order not automatic makes none", () => {
    const [event] = reloadRefusalEvents(order, 'NOTENOUGH', '2026-12-01T04:05:06.000Z');
    expect(event).toEqual({
      eventId: `AR#${order.orderId}#auto_reload_refused`,
      kind: 'auto_reload_refused',
      accountNo: '20261234',
      at: '2026-12-01T04:05:06.000Z',
      amountFen: 5_000,
      channel: 'wechat',
      refusal: 'NOTENOUGH',
    });
    expect(event!.eventId).toBe(eventIdOf(reloadRefusalSourceId(order.orderId), 'auto_reload_refused'));
    // Retried later, with another code or time: still the one id (the outbox item's condition then writes nothing).
    expect(reloadRefusalEvents(order, 'not_paid_in_time', '2026-12-02T00:00:00.000Z')[0]!.eventId).toBe(event!.eventId);
    expect(reloadRefusalEvents({ ...order, orderId: 'R1123456789abcdef0123456789abcde' }, 'NOTENOUGH', 'x')[0]!.eventId).not.toBe(event!.eventId);
    const { trigger: _trigger, ...byHand } = order;
    expect(reloadRefusalEvents(byHand, 'NOTENOUGH', 'x')).toEqual([]);
  });

  it('the refusal message: amount, why in plain words, Beijing time, what to do; opens the top-up page', () => {
    const [event] = reloadRefusalEvents(order, 'NOTENOUGH', '2026-12-01T04:05:06.000Z');
    expect(templateData(event!, undefined)).toEqual({
      amount1: { value: '50.00元' },
      thing2: { value: '余额不足' },
      time3: { value: '2026-12-01 12:05' },
      thing4: { value: '请在小程序中手动充值' },
    });
    expect(messagePage(event!)).toBe('pages/topup/index');
    expect(refusalWords('CONTRACT_TERMINATED')).toBe('协议已失效');
    expect(refusalWords('CONTRACT_NOT_EXIST')).toBe('协议已失效');
    expect(refusalWords('TRADE_ERROR')).toBe('支付平台拒绝');
    expect(refusalWords(undefined)).toBe('支付平台拒绝');
    expect(refusalWords('not_paid_in_time')).toBe('支付平台未完成扣款');
  });

  it("every kind's template has fields, and the refusal's and an automatic top-up's values fit their limits uncut", () => {
    for (const kind of OUTBOX_EVENT_KINDS) expect(TEMPLATE_FIELDS[kind].length).toBeGreaterThan(0);
    const autoTopup = { eventId: 'x', kind: 'topup' as const, accountNo: '20261234', at: '2026-12-01T04:05:06.000Z', amountFen: 99_900, balanceAfterFen: 12_345_678, channel: 'alipay', trigger: 'auto_reload' as const };
    const refusals = ['NOTENOUGH', 'CONTRACT_TERMINATED', 'TRADE_ERROR', 'not_paid_in_time'].map((code) => reloadRefusalEvents({ ...order, amountFen: 99_900 }, code, '2026-12-01T04:05:06.000Z')[0]!);
    for (const event of [autoTopup, ...refusals]) {
      const types = TEMPLATE_FIELDS[event.kind];
      messageValues(event, undefined).forEach((value, i) => expect([...value].length, `${event.kind} ${types[i]} ${value}`).toBeLessThanOrEqual(FIELD_LIMITS[types[i]!]));
    }
  });

  it("an automatic reload's top-up message says so in its channel field; a top-up by hand does not", () => {
    const topup = purchase(0, 0, {
      type: 'topup',
      amountFen: 1_000,
      delta: { balanceFen: 1_000, transitionalFen: 0, smallWalletFen: 0 },
      after: { balanceFen: 6_000, transitionalFen: 0, smallWalletFen: 0 },
      channel: 'wechat',
    } as Partial<LedgerEntry>);
    const [auto] = movementEvents({ ...topup, trigger: 'auto_reload' }, {});
    expect(auto).toMatchObject({ kind: 'topup', trigger: 'auto_reload' });
    expect(templateData(auto!, undefined).thing3!.value).toBe('自动充值·微信支付');
    const [byHand] = movementEvents(topup, {});
    expect(byHand!.trigger).toBeUndefined();
    expect(templateData(byHand!, undefined).thing3!.value).toBe('微信支付');
  });
});
