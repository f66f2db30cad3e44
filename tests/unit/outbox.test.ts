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
