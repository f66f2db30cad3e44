/**
 * Lost and found (issue 18, item 6) on DynamoDB Local over HTTP: a lost card tapped at a till, a
 * gate or a kiosk is refused exactly as before and makes one `lost_card_tapped` event per card,
 * terminal and bucket (never an error, never a wait past its budget); finders report found cards at
 * a kiosk or in the app with one answer whatever exists, rate-limited under concurrency, the owner
 * told with a `card_found` event; the card centre lists them and marks them collected, by role.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import { LOST_FOUND_POLICY, tapBucket, lostTapSourceId } from '../../functions/domain/lost-found';
import type { Terminal } from '../../functions/domain/merchant';
import type { OutboxRecord } from '../../functions/domain/outbox';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { markLost } from '../../functions/services/card-lifecycle';
import { chargeAtTerminal } from '../../functions/services/charge';
import { getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { listAccountFoundCards, listLostTaps } from '../../functions/store/found-cards';
import { getOutboxRecord } from '../../functions/store/outbox';
import { campusDay } from '../../functions/domain/campus-day';
import { createTestAccount, createTestTerminal, refusalCode, terminalFetch, testChipUid } from '../helpers/fixtures';
import { bindPhone, holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const STAFF = {
  operator: { username: 'op.found', password: 'found operator 2026', role: 'operator' as const },
  auditor: { username: 'aud.found', password: 'found auditor 2026', role: 'auditor' as const },
};
const tokens = { operator: '', auditor: '' };
let till: Terminal;
let kiosk: Terminal;
let seq = 0;
const id = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

beforeAll(async () => {
  for (const key of ['operator', 'auditor'] as const) {
    await createStaffMember(platform.deps, STAFF[key]);
    tokens[key] = (await platform.request('POST', '/v1/admin/sessions', { body: { username: STAFF[key].username, password: STAFF[key].password } })).body.token;
  }
  till = await createTestTerminal(platform.deps, { merchantId: 'MFOUND' });
  kiosk = await createTestTerminal(platform.deps, { merchantId: 'MFOUNDK', kind: 'kiosk' });
});

/** A holder with a physical card, reported lost (or not). */
async function holder(options: { lost?: boolean } = {}) {
  const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
  const chipUid = await testChipUid(platform.deps, account.accountNo);
  if (options.lost) await markLost(platform.deps, account.accountNo);
  return { accountNo: account.accountNo, chipUid, cardId: `C${chipUid}`, token: await holderToken(account.accountNo) };
}

const charge = (terminal: Terminal, chipUid: string) => terminalFetch(platform.url, terminal, 'POST', '/v1/pos/charges', { posTxnId: id('txn'), chipUid, amountFen: 300 });
const atFixed = (at: Date): Pick<Deps, 'db' | 'clock' | 'movements'> => ({ db: platform.deps.db, clock: () => at, movements: platform.deps.movements });

describe('a lost card tapped', () => {
  it('is refused at a till exactly as before, and its holder gets one event for the taps of a bucket', async () => {
    const h = await holder({ lost: true });
    const first = await charge(till, h.chipUid);
    expect(first.status).toBe(409);
    const { requestId: _id, ...answer } = first.body;
    expect(answer).toEqual({ code: 'CARD_LOST', message: { zh: '卡片已挂失', en: 'The card is reported lost' } });
    const again = await Promise.all([charge(till, h.chipUid), charge(till, h.chipUid), charge(till, h.chipUid)]);
    for (const res of again) expect([res.status, { ...res.body, requestId: undefined }]).toEqual([409, { ...answer, requestId: undefined }]);
    const taps = await listLostTaps(platform.deps.db, h.accountNo, 10);
    // All within one bucket unless the test straddled its edge.
    expect(taps.length).toBeGreaterThanOrEqual(1);
    expect(taps.length).toBeLessThanOrEqual(2);
    expect(taps[0]).toMatchObject({ kind: 'lost_card_tapped', accountNo: h.accountNo, terminalId: till.terminalId, merchantId: till.merchantId, placeName: till.place, tapVia: 'pos' });
    // The event is an ordinary outbox item: the notification dispatcher sends it like any other.
    const record = (await getOutboxRecord(platform.deps.db, lostTapSourceId(h.accountNo, h.cardId, till.terminalId, tapBucket(new Date(taps[0]!.at))))) as OutboxRecord;
    expect(record.events.map((event) => event.kind)).toEqual(['lost_card_tapped']);
    expect((await getAccount(platform.deps.db, h.accountNo))!.balanceFen).toBe(10_000);
  });

  it('makes one event per card and terminal per bucket, a new one in the next bucket or at another terminal', async () => {
    const h = await holder({ lost: true });
    const other = await createTestTerminal(platform.deps, { merchantId: 'MFOUND2' });
    const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 7 * 60_000);
    const tap = (terminal: Terminal, at: Date) => refusalCode(chargeAtTerminal(atFixed(at), terminal, { posTxnId: id('txn'), chipUid: h.chipUid, amountFen: 100 }));
    expect(await Promise.all([tap(till, start), tap(till, new Date(start.getTime() + 60_000)), tap(till, start)])).toEqual(['CARD_LOST', 'CARD_LOST', 'CARD_LOST']);
    expect(await listLostTaps(platform.deps.db, h.accountNo, 10)).toHaveLength(1);
    await tap(other, start);
    expect(await listLostTaps(platform.deps.db, h.accountNo, 10)).toHaveLength(2);
    await tap(till, new Date(start.getTime() + LOST_FOUND_POLICY.tapBucketMinutes * 60_000));
    expect(await listLostTaps(platform.deps.db, h.accountNo, 10)).toHaveLength(3);
  });

  it('is refused the same when recording fails or hangs, within the budget', async () => {
    const h = await holder({ lost: true });
    const real = platform.deps.db.doc;
    const isTapPut = (command: unknown) => command instanceof PutCommand && String(command.input.Item?.pk).startsWith('OUTBOX#L#');
    const failing = { ...platform.deps, db: { ...platform.deps.db, doc: { send: (command: any) => (isTapPut(command) ? Promise.reject(new Error('DynamoDB unreachable')) : real.send(command)) } as typeof real } };
    const hanging = { ...platform.deps, db: { ...platform.deps.db, doc: { send: (command: any) => (isTapPut(command) ? new Promise(() => {}) : real.send(command)) } as typeof real } };
    expect(await refusalCode(chargeAtTerminal(failing, till, { posTxnId: id('txn'), chipUid: h.chipUid, amountFen: 100 }))).toBe('CARD_LOST');
    const started = Date.now();
    expect(await refusalCode(chargeAtTerminal(hanging, till, { posTxnId: id('txn'), chipUid: h.chipUid, amountFen: 100 }))).toBe('CARD_LOST');
    expect(Date.now() - started).toBeLessThan(LOST_FOUND_POLICY.tapRecordBudgetMs + 1_000);
    expect(await listLostTaps(platform.deps.db, h.accountNo, 10)).toHaveLength(0);
  });

  it('makes no event for an active card or another refusal', async () => {
    const h = await holder();
    expect((await charge(till, h.chipUid)).status).toBe(200);
    expect((await charge(till, '0DFFFFFFFFFF')).body.code).toBe('CARD_NOT_FOUND');
    expect(await listLostTaps(platform.deps.db, h.accountNo, 10)).toHaveLength(0);
  });

  it('at a gate (the identity code of a lost account) answers as before and tells the holder, who lists it on the card page', async () => {
    const h = await holder();
    const phone = await bindPhone(platform.url, h.accountNo);
    await markLost(platform.deps, h.accountNo);
    const gate = await createTestTerminal(platform.deps, { merchantId: 'MGATE' });
    const res = await terminalFetch(platform.url, gate, 'POST', '/v1/pos/identity-scans', { token: phone.code({ purpose: 'identity' }) });
    expect([res.status, res.body.allowed, res.body.reason]).toEqual([200, false, 'CARD_LOST']);
    const page = await platform.request('GET', '/v1/holder/lost-card-taps', { token: h.token });
    expect(page.status).toBe(200);
    expect(page.body.taps).toHaveLength(1);
    expect(page.body.taps[0]).toMatchObject({ place: gate.place, via: 'gate' });
    expect(page.body.taps[0].message).toMatch(/^您挂失的卡于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 在 测试窗口 被刷卡（已拒绝）$/);
    // Another holder sees none of it.
    const stranger = await holder();
    expect((await platform.request('GET', '/v1/holder/lost-card-taps', { token: stranger.token })).body).toEqual({ taps: [], found: [] });
  });
});

describe('a found card reported', () => {
  const ANSWER = { received: true, message: '谢谢，已通知失主', handInAt: expect.any(String) };
  const atKiosk = (terminal: Terminal, cardNumber: string) => terminalFetch(platform.url, terminal, 'POST', '/v1/pos/kiosk/found-cards', { cardNumber });

  it('at a kiosk answers the same for an unknown number, a closed account and a lost card, and tells only the owner of a real one', async () => {
    const reportKiosk = await createTestTerminal(platform.deps, { merchantId: 'MFOUNDK', kind: 'kiosk' });
    const h = await holder({ lost: true });
    const unknown = await atKiosk(reportKiosk, '99999999999');
    const known = await atKiosk(reportKiosk, h.accountNo);
    expect([unknown.status, unknown.body]).toEqual([200, { ...ANSWER, handInAt: reportKiosk.place }]);
    expect(known.body).toEqual(unknown.body);
    expect(known.status).toBe(200);
    const found = await listAccountFoundCards(platform.deps.db, h.accountNo, 10);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ accountNo: h.accountNo, cardId: h.cardId, via: 'kiosk', terminalId: reportKiosk.terminalId, collectAt: reportKiosk.place, accountStatusThen: 'lost', status: 'open' });
    const event = (await getOutboxRecord(platform.deps.db, `F#${found[0]!.foundId}`))!.events[0]!;
    expect(event).toMatchObject({ kind: 'card_found', accountNo: h.accountNo, placeName: reportKiosk.place, foundBy: `${reportKiosk.place}的自助机` });
    const page = await platform.request('GET', '/v1/holder/lost-card-taps', { token: h.token });
    expect(page.body.found).toEqual([{ reportedAt: found[0]!.reportedAt, collectAt: reportKiosk.place, finder: `${reportKiosk.place}的自助机`, status: 'open' }]);
  });

  it('is refused at a till that is not a kiosk, and bad input changes nothing', async () => {
    const h = await holder({ lost: true });
    expect((await atKiosk(till, h.accountNo)).body.code).toBe('TERMINAL_KIND_NOT_ALLOWED');
    const bad = await atKiosk(kiosk, 'abc');
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await platform.request('POST', '/v1/holder/found-cards', { token: h.token, body: { cardNumber: h.accountNo, extra: 1 } })).status).toBe(400);
    expect(await listAccountFoundCards(platform.deps.db, h.accountNo, 10)).toHaveLength(0);
  });

  it('in the app (a card not reported yet) sends the owner to the card centre and never names the finder', async () => {
    const owner = await holder();
    const finder = await holder();
    const res = await platform.request('POST', '/v1/holder/found-cards', { token: finder.token, body: { cardNumber: owner.accountNo } });
    expect([res.status, res.body]).toEqual([200, { ...ANSWER, handInAt: LOST_FOUND_POLICY.cardCentreCounter }]);
    const [found] = await listAccountFoundCards(platform.deps.db, owner.accountNo, 10);
    expect(found).toMatchObject({ via: 'app', reporterAccountNo: finder.accountNo, collectAt: LOST_FOUND_POLICY.cardCentreCounter, accountStatusThen: 'active' });
    const page = await platform.request('GET', '/v1/holder/lost-card-taps', { token: owner.token });
    expect(page.body.found).toEqual([{ reportedAt: found!.reportedAt, collectAt: LOST_FOUND_POLICY.cardCentreCounter, finder: '另一位同学', status: 'open' }]);
    expect(JSON.stringify(page.body)).not.toContain(finder.accountNo);
    // Reporting one's own card records nothing, with the same answer.
    expect((await platform.request('POST', '/v1/holder/found-cards', { token: finder.token, body: { cardNumber: finder.accountNo } })).body).toEqual(ANSWER);
    expect(await listAccountFoundCards(platform.deps.db, finder.accountNo, 10)).toHaveLength(0);
  });

  it('is rate-limited per reporting holder and per kiosk under concurrency', async () => {
    const finder = await holder();
    const limit = LOST_FOUND_POLICY.holderReports.maxFailures;
    const results = await Promise.all(Array.from({ length: limit + 4 }, () => platform.request('POST', '/v1/holder/found-cards', { token: finder.token, body: { cardNumber: '88888888' } })));
    expect(results.filter((res) => res.status === 200)).toHaveLength(limit);
    const limited = results.filter((res) => res.status === 429);
    expect(limited).toHaveLength(4);
    expect(limited[0]!.body.code).toBe('FOUND_CARD_REPORTS_LIMITED');
    // Another holder is not limited by this one.
    expect((await platform.request('POST', '/v1/holder/found-cards', { token: (await holder()).token, body: { cardNumber: '88888888' } })).status).toBe(200);

    const busyKiosk = await createTestTerminal(platform.deps, { merchantId: 'MFOUNDK', kind: 'kiosk' });
    const kioskLimit = LOST_FOUND_POLICY.kioskReports.maxFailures;
    const atOnce = await Promise.all(Array.from({ length: kioskLimit + 3 }, () => atKiosk(busyKiosk, '77777777')));
    expect(atOnce.filter((res) => res.status === 200)).toHaveLength(kioskLimit);
    expect(atOnce.filter((res) => res.status === 429)).toHaveLength(3);
  });
});

describe('the card centre', () => {
  it('lists found cards newest first and marks one collected by role, in the action log, once', async () => {
    const older = await holder({ lost: true });
    const newer = await holder({ lost: true });
    await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/kiosk/found-cards', { cardNumber: older.accountNo });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/kiosk/found-cards', { cardNumber: newer.accountNo });

    const list = await platform.request('GET', '/v1/admin/found-cards?state=open&limit=100', { token: tokens.auditor });
    expect(list.status).toBe(200);
    const ours = list.body.foundCards.filter((item: any) => [older.accountNo, newer.accountNo].includes(item.accountNo));
    expect(ours.map((item: any) => item.accountNo)).toEqual([newer.accountNo, older.accountNo]);
    expect(ours[0].holderDisplayName).toMatch(/\*/);
    const foundId = ours[1].foundId as string;

    const forbidden = await platform.request('POST', `/v1/admin/found-cards/${foundId}/collection`, { token: tokens.auditor, body: { reason: '本人持证领取' } });
    expect([forbidden.status, forbidden.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await platform.request('POST', `/v1/admin/found-cards/${foundId}/collection`, { token: tokens.operator, body: { reason: 'x' } })).status).toBe(400);

    const collected = await platform.request('POST', `/v1/admin/found-cards/${foundId}/collection`, { token: tokens.operator, body: { reason: '本人持证领取' } });
    expect(collected.status).toBe(200);
    expect(collected.body).toMatchObject({ replayed: false, foundCard: { foundId, status: 'collected', collectedBy: STAFF.operator.username, collectReason: '本人持证领取' } });
    const again = await platform.request('POST', `/v1/admin/found-cards/${foundId}/collection`, { token: tokens.operator, body: { reason: '本人持证领取' } });
    expect([again.status, again.body.replayed]).toEqual([200, true]);
    const other = await platform.request('POST', `/v1/admin/found-cards/${foundId}/collection`, { token: tokens.operator, body: { reason: '另一个理由' } });
    expect([other.status, other.body.code]).toEqual([409, 'FOUND_CARD_ALREADY_COLLECTED']);
    expect((await platform.request('POST', '/v1/admin/found-cards/01ARZ3NDEKTSV4RRFFQ69G5FAV/collection', { token: tokens.operator, body: { reason: '本人持证领取' } })).body.code).toBe('FOUND_CARD_NOT_FOUND');

    const day = await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 });
    expect(day.entries.filter((entry) => entry.action === 'found_card.collect' && entry.details.foundId === foundId)).toHaveLength(1);
    const open = await platform.request('GET', '/v1/admin/found-cards?limit=100', { token: tokens.operator });
    expect(open.body.foundCards.map((item: any) => item.foundId)).not.toContain(foundId);
    const done = await platform.request('GET', '/v1/admin/found-cards?state=collected&limit=100', { token: tokens.operator });
    expect(done.body.foundCards.map((item: any) => item.foundId)).toContain(foundId);
    expect((await platform.request('GET', '/v1/holder/lost-card-taps', { token: older.token })).body.found[0]).toMatchObject({ status: 'collected' });
  });

  it('concurrent collections make one', async () => {
    const h = await holder({ lost: true });
    await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/kiosk/found-cards', { cardNumber: h.accountNo });
    const [found] = await listAccountFoundCards(platform.deps.db, h.accountNo, 10);
    const results = await Promise.all(['理由甲', '理由乙', '理由丙'].map((reason) => platform.request('POST', `/v1/admin/found-cards/${found!.foundId}/collection`, { token: tokens.operator, body: { reason } })));
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    expect(results.filter((res) => res.status === 409)).toHaveLength(2);
  });
});
