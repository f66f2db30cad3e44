/**
 * Issue 16 items 2 and 4, server side: an account's history says who made each change (status,
 * cards, device keys), and the reconciliation queue lists what needs a person, each item appearing
 * after its real cause and leaving after its resolving action. Over HTTP on DynamoDB Local, with
 * the fake WeChat Pay.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { hashPassword } from '../../functions/domain/passwords';
import { newOrder } from '../../functions/domain/topup';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { reconcileBills } from '../../functions/services/bill-reconciliation';
import { reconcilePendingOrders } from '../../functions/services/topups';
import { auditLedger } from '../../functions/services/audit';
import { getAccount } from '../../functions/store/accounts';
import { getOfflineRecord } from '../../functions/store/offline';
import { getFinding } from '../../functions/store/reconciliation-findings';
import { createOrder, getOrder } from '../../functions/store/orders';
import { savePasswordRecord } from '../../functions/store/passwords';
import { createTestAccount, createTestTerminal, ledgerOf, terminalFetch } from '../helpers/fixtures';
import { useFake } from '../helpers/fakes';
import { bindPhone, holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

let wechat: FakeWechatPay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
const platform = useTestPlatform({ http: true });
const PASSWORD = 'history queue password 2026';
const FAST = { N: 1024, r: 8, p: 1, keyLength: 32 };
const tokens = { operator: '', finance: '', auditor: '', administrator: '' };

async function call(token: string | undefined, method: string, path: string, body?: unknown) {
  const response = await fetch(platform.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}
const asHolder = async (accountNo: string, method: string, path: string, body?: unknown) => call(await holderToken(accountNo), method, path, body);
const history = async (accountNo: string, token = tokens.auditor) => {
  const answer = await call(token, 'GET', `/v1/admin/accounts/${accountNo}/history`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};

/** The whole queue over the API, following its pages. */
async function queue(token = tokens.auditor, query = '') {
  const items: any[] = [];
  let cursor: string | undefined;
  let last: any;
  do {
    const page = await call(token, 'GET', `/v1/admin/reconciliation-queue?limit=2${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
    last = page.body;
  } while (cursor);
  return { items, counts: last.counts, findingsBySource: last.findingsBySource, stuckPendingByKind: last.stuckPendingByKind };
}
const queued = async (kind: string, id: string) => (await queue()).items.filter((item) => item.kind === kind && item.id === id);

beforeAll(async () => {
  for (const role of ['operator', 'finance', 'auditor', 'administrator'] as const) {
    await createStaffMember(platform.deps, { username: `h.${role}`, role, password: PASSWORD });
    tokens[role] = (await call(undefined, 'POST', '/v1/admin/sessions', { username: `h.${role}`, password: PASSWORD })).body.token;
  }
});

describe('GET /v1/admin/accounts/{accountNo}/history', () => {
  it('a loss at the counter and a replacement handed over show who did them, newest first, with the fee', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    await savePasswordRecord(platform.deps.db, account.accountNo, 'query', await hashPassword('112233', { now: new Date(), params: FAST }), undefined);
    const issued = await call(tokens.operator, 'POST', `/v1/admin/accounts/${account.accountNo}/cards`, { kind: 'cpu', chipUid: '0a1b2c3d4e01', reason: 'first card at the counter' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    // Lost at the counter by staff, unfrozen by an administrator, lost again by the holder in the app.
    expect((await call(tokens.operator, 'POST', `/v1/admin/accounts/${account.accountNo}/loss`, { reason: '柜台挂失, 已核验身份' })).status).toBe(200);
    expect((await call(tokens.administrator, 'POST', `/v1/admin/accounts/${account.accountNo}/unfreeze`, { reason: '卡已找回' })).status).toBe(200);
    expect((await asHolder(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' })).status).toBe(200);
    expect((await asHolder(account.accountNo, 'POST', '/v1/holder/card-replacement', { queryPassword: '112233', kind: 'cpu' })).status).toBe(201);
    const handed = await call(tokens.operator, 'POST', `/v1/admin/accounts/${account.accountNo}/card-replacement`, { chipUid: '0a1b2c3d4e02', reason: '补卡, 持卡人到柜台' });
    expect(handed.status, JSON.stringify(handed.body)).toBe(200);

    const seen = await history(account.accountNo);
    expect(seen.accountNo).toBe(account.accountNo);
    expect(seen.status).toEqual([
      expect.objectContaining({ from: 'lost', to: 'active', by: 'h.operator', reason: 'card replacement' }),
      expect.objectContaining({ from: 'active', to: 'lost', by: 'holder' }),
      expect.objectContaining({ from: 'lost', to: 'active', by: 'h.administrator', reason: '卡已找回' }),
      expect.objectContaining({ from: 'active', to: 'lost', by: 'h.operator', reason: '柜台挂失, 已核验身份' }),
    ]);
    const events = seen.cards.map((event: any) => [event.cardId, event.event, event.by, event.feeFen]);
    // The same instant: the new card's issue and the old card's replacement, in either order.
    expect(events.slice(0, 2)).toEqual(
      expect.arrayContaining([
        ['C0A1B2C3D4E02', 'issued', 'h.operator', 2_000],
        ['C0A1B2C3D4E01', 'replaced', 'h.operator', 2_000],
      ]),
    );
    expect(events.slice(2)).toEqual([
      ['C0A1B2C3D4E01', 'lost', 'holder', undefined],
      ['C0A1B2C3D4E01', 'found', 'h.administrator', undefined],
      ['C0A1B2C3D4E01', 'lost', 'h.operator', undefined],
      ['C0A1B2C3D4E01', 'issued', 'h.operator', undefined],
    ]);
    expect(seen.cards.find((event: any) => event.event === 'replaced')).toMatchObject({ chipUid: '0A1B2C3D4E01', kind: 'cpu', reason: 'replaced by C0A1B2C3D4E02' });
    // The staff actions on the account, from its own index, newest first.
    expect(seen.actions.map((entry: any) => [entry.action, entry.who])).toEqual([
      ['card.replace', 'h.operator'],
      ['account.unfreeze', 'h.administrator'],
      ['account.loss', 'h.operator'],
      ['card.issue', 'h.operator'],
    ]);
    // Every role reads it.
    for (const token of Object.values(tokens)) expect((await call(token, 'GET', `/v1/admin/accounts/${account.accountNo}/history`)).status).toBe(200);
  });

  it('a replacement the holder makes at a kiosk is the holder’s, and a termination at the counter the operator’s, with its reason', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    await savePasswordRecord(platform.deps.db, account.accountNo, 'query', await hashPassword('112233', { now: new Date(), params: FAST }), undefined);
    expect((await call(tokens.operator, 'POST', `/v1/admin/accounts/${account.accountNo}/cards`, { kind: 'cpu', chipUid: '0a1b2c3d4e11' })).status).toBe(201);
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    const replaced = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/card-replacements', {
      replacementId: `kiosk-${account.accountNo}`,
      accountNo: account.accountNo,
      queryPassword: '112233',
      newChipUid: '0A1B2C3D4E12',
      newKind: 'cpu',
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    const terminated = await call(tokens.operator, 'POST', `/v1/admin/accounts/${account.accountNo}/terminations`, { reason: 'graduated', destination: 'cash', cancellationId: `end-${account.accountNo}` });
    expect(terminated.status, JSON.stringify(terminated.body)).toBe(201);
    const seen = await history(account.accountNo);
    expect(seen.status[0]).toMatchObject({ from: 'active', to: 'cancelled', by: 'h.operator', reason: 'graduated' });
    const events = seen.cards.map((event: any) => `${event.cardId} ${event.event} ${event.by}`);
    expect(events).toEqual(expect.arrayContaining(['C0A1B2C3D4E12 cancelled h.operator', 'C0A1B2C3D4E12 issued holder', 'C0A1B2C3D4E11 replaced holder', 'C0A1B2C3D4E11 issued h.operator']));
    expect(seen.cards.find((event: any) => event.cardId === 'C0A1B2C3D4E12' && event.event === 'issued').feeFen).toBe(replaced.body.feeFen);
  });

  it('a card that does not match the database freezes the account at the tap: the system’s change, with why, and queued', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 20_000 });
    expect((await call(tokens.operator, 'POST', `/v1/admin/accounts/${account.accountNo}/cards`, { kind: 'cpu', chipUid: '0a1b2c3d4e21' })).status).toBe(201);
    const terminal = await createTestTerminal(platform.deps);
    const charge = (posTxnId: string, chipBalanceFen: number) =>
      terminalFetch(platform.url, terminal, 'POST', '/v1/pos/charges', { posTxnId, chipUid: '0A1B2C3D4E21', chipBalanceFen, cardTxnCounter: 1, amountFen: 100 });
    expect((await charge('m-1', 20_000)).status).toBe(200);
    // The chip should hold 199 yuan; it shows 130: 69 yuan nobody explains.
    expect((await charge('m-2', 13_000)).body.code).toBe('CARD_FROZEN');
    expect((await history(account.accountNo)).status[0]).toMatchObject({ from: 'active', to: 'frozen', by: 'system', reason: 'card_database_mismatch' });
    expect(await queued('frozen_account', account.accountNo)).toEqual([expect.objectContaining({ why: 'card_database_mismatch' })]);
  });

  it('a device key registered and then replaced by a new one shows both: the first revoked, with when', async () => {
    const account = await createTestAccount(platform.deps);
    const first = await bindPhone(platform.url, account.accountNo);
    expect((await history(account.accountNo)).deviceKeys).toEqual([{ keyId: first.keyId, registeredAt: expect.any(String), status: 'active' }]);
    const second = await bindPhone(platform.url, account.accountNo);
    const keysSeen = (await history(account.accountNo)).deviceKeys;
    expect(keysSeen).toEqual([
      { keyId: second.keyId, registeredAt: expect.any(String), status: 'active' },
      { keyId: first.keyId, registeredAt: expect.any(String), status: 'revoked', revokedAt: keysSeen[0].registeredAt },
    ]);
  });

  it('an unknown account is 404 ACCOUNT_NOT_FOUND, a malformed number 400; nothing written', async () => {
    const missing = await call(tokens.operator, 'GET', '/v1/admin/accounts/999999993/history');
    expect([missing.status, missing.body.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    expect((await getAccount(platform.deps.db, '999999993'))).toBeUndefined();
    const malformed = await call(tokens.operator, 'GET', '/v1/admin/accounts/abc/history');
    expect([malformed.status, malformed.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('GET /v1/admin/reconciliation-queue', () => {
  it('an offline record that would overdraw freezes the account and is held: both queued with why, each gone after its audited resolution', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 500 });
    const phone = await bindPhone(platform.url, account.accountNo);
    const terminal = await createTestTerminal(platform.deps);
    const at = new Date(Date.now() - 5 * 60_000);
    const upload = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/offline-uploads', {
      records: [{ recordId: 'over', occurredAt: at.toISOString(), amountFen: 800, method: 'qr', token: phone.code({ at }) }],
    });
    expect(upload.body.results[0]).toMatchObject({ outcome: 'held', reason: 'insufficient_balance', frozen: true });

    const frozen = await queued('frozen_account', account.accountNo);
    expect(frozen).toEqual([
      expect.objectContaining({
        accountNo: account.accountNo,
        amountFen: 500,
        why: 'offline_insufficient_balance',
        resolve: { action: 'unfreeze_account', route: `/v1/admin/accounts/${account.accountNo}/unfreeze` },
      }),
    ]);
    const held = (await queue()).items.filter((item) => item.kind === 'held_offline' && item.accountNo === account.accountNo);
    expect(held).toEqual([
      expect.objectContaining({ source: 'offline_upload', ref: `${terminal.terminalId}/over`, amountFen: 800, why: 'insufficient_balance', resolve: { action: 'resolve_offline_hold', route: expect.stringMatching(/^\/v1\/admin\/offline-holds\/F[a-z2-7]{26}\/resolution$/) } }),
    ]);
    // The freeze in the account's history: the system, with the reason.
    expect((await history(account.accountNo)).status[0]).toMatchObject({ from: 'active', to: 'frozen', by: 'system', reason: 'offline_insufficient_balance' });

    // Finance and the auditor may not unfreeze; the auditor may not resolve a finding: 403, nothing changed.
    for (const token of [tokens.finance, tokens.auditor]) {
      const refused = await call(token, 'POST', frozen[0].resolve.route, { reason: 'not my job' });
      expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    }
    for (const token of [tokens.finance, tokens.auditor]) {
      const refused = await call(token, 'POST', held[0].resolve.route, { decision: 'reject', reason: 'not my job' });
      expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect((await getAccount(platform.deps.db, account.accountNo))?.status).toBe('frozen');
    expect(await queued('frozen_account', account.accountNo)).toHaveLength(1);
    expect(await queued('held_offline', held[0].id)).toHaveLength(1);

    const unfrozen = await call(tokens.operator, 'POST', frozen[0].resolve.route, { reason: '已与卡核对, 解冻' });
    expect(unfrozen.status, JSON.stringify(unfrozen.body)).toBe(200);
    expect(await queued('frozen_account', account.accountNo)).toEqual([]);
    expect((await history(account.accountNo)).status[0]).toMatchObject({ from: 'frozen', to: 'active', by: 'h.operator', reason: '已与卡核对, 解冻' });
    const rejected = await call(tokens.operator, 'POST', held[0].resolve.route, { decision: 'reject', reason: '商户放弃此笔' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body).toEqual({ findingId: held[0].id, decision: 'reject', terminalId: terminal.terminalId, recordId: 'over', accountNo: account.accountNo, amountFen: 800 });
    expect(await queued('held_offline', held[0].id)).toEqual([]);
    // Nothing moved; the record is refused for good (an upload again hears so), the finding resolved no_action, the action in the account's history.
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(500);
    expect(await getOfflineRecord(platform.deps.db, terminal.terminalId, 'over')).toMatchObject({ result: { outcome: 'rejected', reason: 'CARD_CENTRE_REJECTED' }, cardCentreDecision: { decision: 'reject', by: 'h.operator', heldFor: 'insufficient_balance' } });
    expect(await getFinding(platform.deps.db, held[0].id)).toMatchObject({ status: 'resolved', resolution: { resolution: 'no_action', by: 'h.operator', reason: '商户放弃此笔' } });
    const again = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/offline-uploads', {
      records: [{ recordId: 'over', occurredAt: at.toISOString(), amountFen: 800, method: 'qr', token: phone.code({ at, counter: 0 }) }],
    });
    expect(again.body.results[0]).toMatchObject({ outcome: 'rejected', replayed: true });
    expect((await history(account.accountNo)).actions[0]).toMatchObject({ action: 'offline_hold.resolve', who: 'h.operator', details: { decision: 'reject', findingId: held[0].id, amountFen: 800, heldFor: 'insufficient_balance' } });
    const twice = await call(tokens.operator, 'POST', held[0].resolve.route, { decision: 'approve', reason: 'changed my mind' });
    expect([twice.status, twice.body.code]).toEqual([409, 'FINDING_ALREADY_RESOLVED']);
  });

  it('a held record approved is charged now and paid to the merchant, once, through the books: short of balance it is refused and changes nothing', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 300 });
    const phone = await bindPhone(platform.url, account.accountNo);
    const terminal = await createTestTerminal(platform.deps);
    const at = new Date(Date.now() - 10 * 60_000);
    const upload = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/offline-uploads', {
      records: [{ recordId: 'late-lunch', occurredAt: at.toISOString(), amountFen: 600, method: 'qr', token: phone.code({ at }) }],
    });
    expect(upload.body.results[0]).toMatchObject({ outcome: 'held', reason: 'insufficient_balance' });
    const [held] = (await queue()).items.filter((item) => item.kind === 'held_offline' && item.accountNo === account.accountNo);
    expect(held).toBeDefined();
    const ledgerBefore = await ledgerOf(platform.deps, account.accountNo);

    const short = await call(tokens.operator, 'POST', held.resolve.route, { decision: 'approve', reason: '持卡人确认消费' });
    expect([short.status, short.body.code]).toEqual([409, 'INSUFFICIENT_BALANCE']);
    expect(await ledgerOf(platform.deps, account.accountNo)).toEqual(ledgerBefore);
    expect(await queued('held_offline', held.id)).toHaveLength(1);
    expect((await getOfflineRecord(platform.deps.db, terminal.terminalId, 'late-lunch'))?.result.outcome).toBe('held');

    // Bad input changes nothing either: an unknown finding, a finding that is not a held record, a bad decision or id.
    const unknown = await call(tokens.operator, 'POST', `/v1/admin/offline-holds/F${'a'.repeat(26)}/resolution`, { decision: 'approve', reason: '持卡人确认消费' });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'FINDING_NOT_FOUND']);
    for (const [path, body] of [
      [held.resolve.route, { decision: 'maybe', reason: '持卡人确认消费' }],
      [held.resolve.route, { decision: 'approve' }],
      ['/v1/admin/offline-holds/nope/resolution', { decision: 'approve', reason: '持卡人确认消费' }],
    ] as const) {
      const refused = await call(tokens.operator, 'POST', path, body);
      expect([refused.status, refused.body.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await queued('held_offline', held.id)).toHaveLength(1);

    await call(tokens.operator, 'POST', `/v1/admin/accounts/${account.accountNo}/unfreeze`, { reason: '已核对' });
    const credited = await call(tokens.operator, 'POST', `/v1/admin/accounts/${account.accountNo}/adjustments`, { direction: 'credit', amountFen: 700, reason: '现金存入', adjustmentId: `cash-${account.accountNo}` });
    expect(credited.status, JSON.stringify(credited.body)).toBe(200);
    const approved = await call(tokens.operator, 'POST', held.resolve.route, { decision: 'approve', reason: '持卡人确认消费' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ decision: 'approve', accountNo: account.accountNo, amountFen: 600, balanceFen: 400, receiptNo: expect.any(String) });
    const purchase = (await ledgerOf(platform.deps, account.accountNo)).at(-1)!;
    expect(purchase).toMatchObject({ type: 'purchase', channel: 'offline_pos', amountFen: 600, merchantId: terminal.merchantId, terminalId: terminal.terminalId, externalRef: 'late-lunch', operator: 'h.operator', receiptNo: approved.body.receiptNo });
    expect(await getOfflineRecord(platform.deps.db, terminal.terminalId, 'late-lunch')).toMatchObject({ result: { outcome: 'applied', receiptNo: approved.body.receiptNo } });
    expect(await getFinding(platform.deps.db, held.id)).toMatchObject({ status: 'resolved', resolution: { resolution: 'adjusted', by: 'h.operator' } });
    expect(await queued('held_offline', held.id)).toEqual([]);
    // Once: approved again, or uploaded again, nothing more is charged.
    const twice = await call(tokens.administrator, 'POST', held.resolve.route, { decision: 'approve', reason: '持卡人确认消费' });
    expect([twice.status, twice.body.code]).toEqual([409, 'FINDING_ALREADY_RESOLVED']);
    const again = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/offline-uploads', {
      records: [{ recordId: 'late-lunch', occurredAt: at.toISOString(), amountFen: 600, method: 'qr', token: phone.code({ at, counter: 0 }) }],
    });
    expect(again.body.results[0]).toMatchObject({ outcome: 'applied', receiptNo: approved.body.receiptNo, replayed: true });
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(400);
    // The books agree: the ledger audit finds nothing about this account.
    const report = await auditLedger(platform.deps.db);
    expect(report.findings.filter((finding) => finding.accountNo === account.accountNo)).toEqual([]);
  });

  it('a payment the WeChat bill lacks is a finding, counted by source, gone once resolved', async () => {
    const account = await createTestAccount(platform.deps);
    const created = await asHolder(account.accountNo, 'POST', '/v1/holder/topups', { amountFen: 2_000, channel: 'wechat', payerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
    expect(created.status).toBe(201);
    const orderId = created.body.order.orderId;
    expect(await wechat.pay(orderId)).toBe(200);
    wechat.tamperBills({ drop: [orderId] });
    try {
      await reconcileBills(platform.deps, campusDay(new Date()));
    } finally {
      wechat.tamperBills(undefined);
    }
    const all = await queue();
    const paid = await getOrder(platform.deps.db, orderId);
    const findings = all.items.filter((item) => item.kind === 'finding' && item.ref === paid!.platformTxnId);
    expect(findings).toEqual([expect.objectContaining({ source: 'wechat_bill', why: 'missing_from_bill', resolve: expect.objectContaining({ action: 'resolve_finding' }) })]);
    expect(all.findingsBySource.wechat_bill).toBeGreaterThanOrEqual(1);
    expect(all.counts.finding).toBe(all.items.filter((item) => item.kind === 'finding').length);
    const resolved = await call(tokens.finance, 'POST', findings[0].resolve.route, { resolution: 'no_action', reason: '平台账单次日补上' });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(await queued('finding', findings[0].id)).toEqual([]);
  });

  it('a top-up order past its timeout that WeChat never heard of is stuck pending, with its reconciler; gone once that runs', async () => {
    const account = await createTestAccount(platform.deps);
    const order = newOrder({ orderId: `T${Date.now()}SILENT`, accountNo: account.accountNo, channel: 'wechat', amountFen: 1_500, purse: 'balance', payerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, new Date(Date.now() - 20 * 60_000));
    await createOrder(platform.deps.db, order);
    const stuck = await queued('stuck_pending', order.orderId);
    expect(stuck).toEqual([
      expect.objectContaining({ accountNo: account.accountNo, amountFen: 1_500, why: 'topup_order', pendingKind: 'topup_order', at: order.timeoutAt, resolve: { action: 'run_reconciler', script: 'npm run reconcile:topups' } }),
    ]);
    expect((await queue()).stuckPendingByKind.topup_order).toBeGreaterThanOrEqual(1);
    await reconcilePendingOrders(platform.deps);
    expect(await getOrder(platform.deps.db, order.orderId)).toMatchObject({ state: 'expired' });
    expect(await queued('stuck_pending', order.orderId)).toEqual([]);
  });

  it('one kind only, by pages with counts of everything; a bad cursor, kind or limit is 400 and changes nothing', async () => {
    const before = await queue();
    const frozenOnly = await queue(tokens.finance, '&kind=frozen_account');
    expect(frozenOnly.items.every((item) => item.kind === 'frozen_account')).toBe(true);
    expect(frozenOnly.items).toHaveLength(before.counts.frozen_account);
    expect(frozenOnly.counts).toEqual(before.counts);
    expect(before.items).toHaveLength(Object.values(before.counts as Record<string, number>).reduce((a, b) => a + b, 0));
    const ats = before.items.map((item) => item.at);
    expect(ats).toEqual([...ats].sort());
    for (const query of ['cursor=nope', 'cursor=2026-12-01T00:00:00.000Z|lunch|1', 'kind=lunch', 'limit=0', 'limit=201', 'extra=1']) {
      const refused = await call(tokens.operator, 'GET', `/v1/admin/reconciliation-queue?${query}`);
      expect([refused.status, refused.body.code], query).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await queue()).counts).toEqual(before.counts);
  });
});
