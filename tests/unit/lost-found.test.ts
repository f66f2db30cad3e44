/** Lost and found's pure rules (domain/lost-found.ts): the tap's time bucket and id, the found-card rule, the messages. */
import { describe, expect, it } from 'vitest';
import {
  cardToRecordAsFound,
  collectionPlace,
  finderAsOwnerSees,
  LOST_FOUND_POLICY,
  lostTapEvent,
  lostTapMessage,
  lostTapSourceId,
  tapBucket,
} from '../../functions/domain/lost-found';
import { FIELD_LIMITS, TEMPLATE_FIELDS, templateData } from '../../functions/domain/outbox';

const terminal = { terminalId: 'T-1', merchantId: 'M-1', place: '一食堂 2F 窗口 3' };
const tap = { accountNo: '2026000123', cardRef: 'C0001', terminal, via: 'pos' as const };

describe('tap bucket and event id', () => {
  it('puts taps of the same minutes-long bucket at one terminal under one id, and the next bucket under another', () => {
    const minutes = LOST_FOUND_POLICY.tapBucketMinutes;
    const start = new Date(Date.UTC(2026, 11, 1, 4, 0, 0));
    const inBucket = new Date(start.getTime() + minutes * 60_000 - 1);
    const next = new Date(start.getTime() + minutes * 60_000);
    expect(tapBucket(inBucket)).toBe(tapBucket(start));
    expect(tapBucket(next)).toBe(tapBucket(start) + 1);
    expect(lostTapEvent(tap, start).event.eventId).toBe(lostTapEvent(tap, inBucket).event.eventId);
    expect(lostTapEvent(tap, next).event.eventId).not.toBe(lostTapEvent(tap, start).event.eventId);
  });

  it('gives another terminal or another card its own id in the same bucket', () => {
    const at = new Date(Date.UTC(2026, 11, 1, 4, 2, 0));
    const ids = new Set([
      lostTapEvent(tap, at).sourceId,
      lostTapEvent({ ...tap, terminal: { ...terminal, terminalId: 'T-2' } }, at).sourceId,
      lostTapEvent({ ...tap, cardRef: 'qr' }, at).sourceId,
    ]);
    expect(ids.size).toBe(3);
    expect(lostTapSourceId('2026000123', 'C0001', 'T-1', tapBucket(at))).toBe(lostTapEvent(tap, at).sourceId);
  });

  it('carries where and when, and says it in the holder’s words', () => {
    const at = new Date('2026-12-01T04:05:00.000Z');
    const { event } = lostTapEvent(tap, at);
    expect(event).toMatchObject({ kind: 'lost_card_tapped', accountNo: '2026000123', at: at.toISOString(), terminalId: 'T-1', merchantId: 'M-1', placeName: terminal.place, tapVia: 'pos' });
    expect(lostTapMessage(event.at, terminal.place)).toBe('您挂失的卡于 2026-12-01 12:05 在 一食堂 2F 窗口 3 被刷卡（已拒绝）');
    const data = templateData(event, undefined);
    TEMPLATE_FIELDS.lost_card_tapped.forEach((type, i) => expect([...data[`${type}${i + 1}`]!.value].length).toBeLessThanOrEqual(FIELD_LIMITS[type]));
    expect(data.thing3!.value).toBe(terminal.place);
  });
});

describe('the found-card rule', () => {
  const account = { accountNo: '2026000123', status: 'lost' as const, activePhysicalCardId: 'C0001' };
  const card = { cardId: 'C0001', kind: 'cpu' as const, status: 'lost' as const };

  it('records the find of a card reported lost, and of one not reported yet', () => {
    expect(cardToRecordAsFound(account, card)).toBe(true);
    expect(cardToRecordAsFound({ ...account, status: 'active' }, { ...card, status: 'active' })).toBe(true);
    expect(cardToRecordAsFound({ ...account, status: 'frozen' }, { ...card, status: 'active' }, '2026000999')).toBe(true);
  });

  it('records nothing for no account, a closed account, a void or electronic card, or the reporter’s own card', () => {
    expect(cardToRecordAsFound(undefined, card)).toBe(false);
    expect(cardToRecordAsFound(account, undefined)).toBe(false);
    expect(cardToRecordAsFound({ ...account, status: 'cancelled' }, card)).toBe(false);
    expect(cardToRecordAsFound(account, { ...card, status: 'replaced' })).toBe(false);
    expect(cardToRecordAsFound({ ...account, activePhysicalCardId: 'C0002' }, card)).toBe(false);
    expect(cardToRecordAsFound(account, { ...card, kind: 'electronic' })).toBe(false);
    expect(cardToRecordAsFound(account, card, account.accountNo)).toBe(false);
  });

  it('sends the owner to the kiosk’s place or the card centre, and never names the finder', () => {
    expect(collectionPlace('kiosk', '图书馆一楼大厅')).toBe('图书馆一楼大厅');
    expect(collectionPlace('app', undefined)).toBe(LOST_FOUND_POLICY.cardCentreCounter);
    expect(finderAsOwnerSees('kiosk', '图书馆一楼大厅')).toBe('图书馆一楼大厅的自助机');
    expect(finderAsOwnerSees('app', undefined)).toBe('另一位同学');
  });
});
