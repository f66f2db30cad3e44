/**
 * The self-service kiosk (圈存机) over HTTP on DynamoDB Local: balance query, loss, unfreeze, password
 * and daily-limit changes. Each: success, a wrong password counted like the app's, the lockout,
 * bad input changing nothing, a terminal of another kind refused; and a card or account number that
 * does not exist (or no longer counts) answering exactly as a wrong password does.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TerminalKind } from '../../shared/vocabulary';
import { campusDay } from '../../functions/domain/campus-day';
import type { Terminal } from '../../functions/domain/merchant';
import { hashPassword, type PasswordKind } from '../../functions/domain/passwords';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { getAccount } from '../../functions/store/accounts';
import { issueCard, listCards } from '../../functions/store/cards';
import { keys } from '../../functions/store/keys';
import { getPasswordRecord, savePasswordRecord } from '../../functions/store/passwords';
import { getPolicy, putPolicy } from '../../functions/store/policy';
import { createTerminal, putMerchant } from '../../functions/store/terminals';
import { createTestAccount, terminalFetch } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const FAST = { N: 1024, r: 8, p: 1, keyLength: 32 };
const QUERY = '112233';
const CONSUMPTION = '445566';
let seq = 0;

async function terminalOf(kind: TerminalKind | undefined): Promise<Terminal> {
  const now = new Date().toISOString();
  await putMerchant(platform.deps.db, { merchantId: 'MKIOSK', name: '卡务中心', category: 'department', status: 'active', createdAt: now });
  const terminal: Terminal = {
    terminalId: `KIOSK-${process.pid}-${++seq}`,
    merchantId: 'MKIOSK',
    place: '图书馆一楼大厅',
    ...(kind ? { kind } : {}),
    secret: randomBytes(24).toString('base64url'),
    status: 'active',
    createdAt: now,
  };
  await createTerminal(platform.deps.db, terminal);
  return terminal;
}

async function holder(options: { bankCardNo?: string; holderName?: string } = {}) {
  const account = await createTestAccount(platform.deps, { balanceFen: 12_345, holderName: options.holderName ?? '张三明' });
  for (const kind of ['query', 'consumption'] as const) {
    await savePasswordRecord(platform.deps.db, account.accountNo, kind, await hashPassword(kind === 'query' ? QUERY : CONSUMPTION, { now: new Date(), params: FAST }), undefined);
  }
  const chipUid = `0E${String(process.pid % 10_000).padStart(4, '0')}${String(++seq).padStart(8, '0')}`;
  await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: 'cpu', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
  if (options.bankCardNo) {
    await platform.deps.db.doc.send(
      new UpdateCommand({ TableName: platform.tableName, Key: keys.account(account.accountNo), UpdateExpression: 'SET boundBankCardNo = :c, version = version + :one', ExpressionAttributeValues: { ':c': options.bankCardNo, ':one': 1 } }),
    );
  }
  return { accountNo: account.accountNo, chipUid };
}
type Holder = Awaited<ReturnType<typeof holder>>;

const unknownChip = () => `0F${String(process.pid % 10_000).padStart(4, '0')}${String(++seq).padStart(8, '0')}`;

/** What a kiosk action may change: the account and both passwords, with their counters. */
async function snapshot(h: Holder) {
  const account = await getAccount(platform.deps.db, h.accountNo);
  const { version: _version, ...rest } = account!;
  return {
    account: rest,
    passwords: await Promise.all((['query', 'consumption'] as const).map((kind) => getPasswordRecord(platform.deps.db, h.accountNo, kind))),
    cards: (await listCards(platform.deps.db, h.accountNo)).map((card) => card.status),
  };
}

const failedAttempts = async (h: Holder, kind: PasswordKind) => (await getPasswordRecord(platform.deps.db, h.accountNo, kind))!.failedAttempts;

/** Each kiosk route, driven by one password (the one that route checks). */
interface KioskRoute {
  name: string;
  kind: PasswordKind;
  /** The route keys the card by the account number (the card is gone) instead of the chip. */
  byAccount?: boolean;
  /** Before the call: bring the holder to where the route applies (a lost card for unfreeze). */
  prepare?: (h: Holder) => Promise<void>;
  send: (terminal: Terminal, h: { accountNo: string; chipUid: string }, password: string) => Promise<{ status: number; body: any }>;
}

const post = (terminal: Terminal, method: string, path: string, body: unknown) => terminalFetch(platform.url, terminal, method, path, body);
let kioskTerminal: Terminal | undefined;
const kiosk = async () => (kioskTerminal ??= await terminalOf('kiosk'));

async function markLost(h: Holder) {
  const res = await post(await kiosk(), 'POST', '/v1/pos/kiosk/loss', { accountNo: h.accountNo, queryPassword: QUERY });
  expect(res.body).toEqual({ status: 'lost' });
}

const ROUTES: KioskRoute[] = [
  { name: 'balance query', kind: 'query', send: (t, h, password) => post(t, 'POST', '/v1/pos/kiosk/balance-queries', { chipUid: h.chipUid, queryPassword: password }) },
  { name: 'report loss', kind: 'query', byAccount: true, send: (t, h, password) => post(t, 'POST', '/v1/pos/kiosk/loss', { accountNo: h.accountNo, queryPassword: password }) },
  { name: 'unfreeze', kind: 'query', prepare: markLost, send: (t, h, password) => post(t, 'POST', '/v1/pos/kiosk/unfreeze', { chipUid: h.chipUid, queryPassword: password }) },
  { name: 'query password change', kind: 'query', send: (t, h, password) => post(t, 'POST', '/v1/pos/kiosk/passwords/query', { chipUid: h.chipUid, oldPassword: password, newPassword: '135790' }) },
  {
    name: 'consumption password change',
    kind: 'consumption',
    send: (t, h, password) => post(t, 'POST', '/v1/pos/kiosk/passwords/consumption', { chipUid: h.chipUid, oldPassword: password, newPassword: '135790' }),
  },
  { name: 'daily limit change', kind: 'consumption', send: (t, h, password) => post(t, 'PUT', '/v1/pos/kiosk/daily-limit', { chipUid: h.chipUid, dailyLimitFen: 20_000, consumptionPassword: password }) },
];

const right = (route: KioskRoute) => (route.kind === 'query' ? QUERY : CONSUMPTION);

describe.each(ROUTES)('kiosk $name', (route) => {
  it('counts a wrong password toward the lockout like the app, and changes nothing', async () => {
    const h = await holder();
    await route.prepare?.(h);
    const before = await snapshot(h);
    const res = await route.send(await kiosk(), h, '000000');
    expect([res.status, res.body.code]).toEqual([401, 'PASSWORD_WRONG']);
    expect(await failedAttempts(h, route.kind)).toBe(1);
    const after = await snapshot(h);
    expect(after.account).toEqual(before.account);
    expect(after.cards).toEqual(before.cards);
    expect(after.passwords.map((p) => p?.hash)).toEqual(before.passwords.map((p) => p?.hash));
  });

  it('locks after five wrong tries: then even the right password is refused, and nothing changed', async () => {
    const h = await holder();
    await route.prepare?.(h);
    const before = await snapshot(h);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await route.send(await kiosk(), h, `00000${i}`)).body.code);
    expect(answers).toEqual(['PASSWORD_WRONG', 'PASSWORD_WRONG', 'PASSWORD_WRONG', 'PASSWORD_WRONG', 'PASSWORD_LOCKED']);
    const locked = await route.send(await kiosk(), h, right(route));
    expect([locked.status, locked.body.code]).toEqual([423, 'PASSWORD_LOCKED']);
    // The same lock the app sees: the holder's own password record carries it.
    expect((await getPasswordRecord(platform.deps.db, h.accountNo, route.kind))!.lockedUntil).toBeDefined();
    expect((await snapshot(h)).account).toEqual(before.account);
  });

  it(`answers a card${route.byAccount ? ' or account number' : ''} that does not exist, or no longer counts, exactly as a wrong password, locking the same way`, async () => {
    const stranger = route.byAccount ? { accountNo: '999999999', chipUid: unknownChip() } : { accountNo: '', chipUid: unknownChip() };
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const res = await route.send(await kiosk(), stranger, `00000${i}`);
      answers.push([res.status, res.body.code]);
    }
    expect(answers).toEqual([...Array(4).fill([401, 'PASSWORD_WRONG']), [423, 'PASSWORD_LOCKED']]);
    if (route.byAccount) {
      // An account with no password to check answers the same.
      const account = await createTestAccount(platform.deps);
      expect((await route.send(await kiosk(), { accountNo: account.accountNo, chipUid: '' }, QUERY)).body.code).toBe('PASSWORD_WRONG');
      expect((await getAccount(platform.deps.db, account.accountNo))!.status).toBe('active');
    } else {
      // A replaced card, even with the holder's right password: it can no longer act for the account.
      const h = await holder();
      await platform.deps.db.doc.send(
        new UpdateCommand({ TableName: platform.tableName, Key: keys.card(h.accountNo, `C${h.chipUid}`), UpdateExpression: 'SET #s = :r', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':r': 'replaced' } }),
      );
      const before = await snapshot(h);
      const res = await route.send(await kiosk(), h, right(route));
      expect([res.status, res.body.code]).toEqual([401, 'PASSWORD_WRONG']);
      expect(await snapshot(h)).toEqual(before);
    }
  });

  it('is refused at a terminal that is not a kiosk (a POS, a gate, a record with no kind), counting and changing nothing', async () => {
    const h = await holder();
    await route.prepare?.(h);
    const before = await snapshot(h);
    for (const kind of ['pos', 'gate', 'water', undefined] as const) {
      const res = await route.send(await terminalOf(kind), h, right(route));
      expect([res.status, res.body.code], String(kind)).toEqual([403, 'TERMINAL_KIND_NOT_ALLOWED']);
      expect(res.body.message).toEqual({ zh: '此终端不能办理该业务', en: 'This terminal cannot do that' });
    }
    expect(await snapshot(h)).toEqual(before);
  });

  it('refuses bad input with VALIDATION_FAILED, counting and changing nothing', async () => {
    const h = await holder();
    await route.prepare?.(h);
    const before = await snapshot(h);
    for (const bad of [{ ...h, chipUid: h.chipUid.toLowerCase(), accountNo: `${h.accountNo}x` }]) {
      const res = await route.send(await kiosk(), bad, right(route));
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await route.send(await kiosk(), h, '12345')).body.code).toBe('VALIDATION_FAILED');
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('kiosk successes', () => {
  it('balance query: the account, its purses and limit, the masked name and bank card; the right password clears earlier wrong tries', async () => {
    const h = await holder({ bankCardNo: '6222020012345678' });
    await post(await kiosk(), 'POST', '/v1/pos/kiosk/balance-queries', { chipUid: h.chipUid, queryPassword: '000000' });
    const res = await post(await kiosk(), 'POST', '/v1/pos/kiosk/balance-queries', { chipUid: h.chipUid, queryPassword: QUERY });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accountNo: h.accountNo, holderDisplayName: '张*明', status: 'active', balanceFen: 12_345, transitionalFen: 0, dailyLimitFen: expect.any(Number), bankCardMasked: '••••5678' });
    expect(await failedAttempts(h, 'query')).toBe(0);
    const unbound = await holder();
    expect((await post(await kiosk(), 'POST', '/v1/pos/kiosk/balance-queries', { chipUid: unbound.chipUid, queryPassword: QUERY })).body.bankCardMasked).toBeUndefined();
  });

  it('report loss: the account and its card lost at once; reporting again is fine', async () => {
    const h = await holder();
    await markLost(h);
    expect((await getAccount(platform.deps.db, h.accountNo))!.status).toBe('lost');
    expect((await snapshot(h)).cards).toEqual(['lost']);
    await markLost(h);
    // The found card still reads its balance at the kiosk.
    expect((await post(await kiosk(), 'POST', '/v1/pos/kiosk/balance-queries', { chipUid: h.chipUid, queryPassword: QUERY })).body.status).toBe('lost');
  });

  it('unfreeze: with the card in, even where the campus refuses it in the app; a frozen account is for the card centre', async () => {
    const h = await holder();
    await markLost(h);
    const policy = await getPolicy(platform.deps.db);
    await putPolicy(platform.deps.db, { ...policy, unfreezeInApp: false }, 'test', new Date());
    try {
      const res = await post(await kiosk(), 'POST', '/v1/pos/kiosk/unfreeze', { chipUid: h.chipUid, queryPassword: QUERY });
      expect([res.status, res.body]).toEqual([200, { status: 'active' }]);
      expect((await getAccount(platform.deps.db, h.accountNo))!.status).toBe('active');
      expect((await snapshot(h)).cards).toEqual(['active']);
    } finally {
      await putPolicy(platform.deps.db, DEFAULT_POLICY, 'test', new Date());
    }
    const frozen = await holder();
    await platform.deps.db.doc.send(
      new UpdateCommand({ TableName: platform.tableName, Key: keys.account(frozen.accountNo), UpdateExpression: 'SET #s = :f, version = version + :one', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':f': 'frozen', ':one': 1 } }),
    );
    const res = await post(await kiosk(), 'POST', '/v1/pos/kiosk/unfreeze', { chipUid: frozen.chipUid, queryPassword: QUERY });
    expect([res.status, res.body.code]).toEqual([409, 'UNFREEZE_AT_CARD_CENTRE']);
    expect((await getAccount(platform.deps.db, frozen.accountNo))!.status).toBe('frozen');
  });

  it.each(['query', 'consumption'] as const)('%s password change: the new one works, the old one no longer; the same password again is refused', async (kind) => {
    const h = await holder();
    const old = kind === 'query' ? QUERY : CONSUMPTION;
    const same = await post(await kiosk(), 'POST', `/v1/pos/kiosk/passwords/${kind}`, { chipUid: h.chipUid, oldPassword: old, newPassword: old });
    expect([same.status, same.body.code]).toEqual([400, 'PASSWORD_UNCHANGED']);
    const res = await post(await kiosk(), 'POST', `/v1/pos/kiosk/passwords/${kind}`, { chipUid: h.chipUid, oldPassword: old, newPassword: '135790' });
    expect([res.status, res.body]).toEqual([200, { changed: true }]);
    expect((await post(await kiosk(), 'POST', `/v1/pos/kiosk/passwords/${kind}`, { chipUid: h.chipUid, oldPassword: old, newPassword: '246802' })).body.code).toBe('PASSWORD_WRONG');
    expect((await post(await kiosk(), 'POST', `/v1/pos/kiosk/passwords/${kind}`, { chipUid: h.chipUid, oldPassword: '135790', newPassword: old })).body).toEqual({ changed: true });
    expect((await post(await kiosk(), 'POST', '/v1/pos/kiosk/passwords/bank', { chipUid: h.chipUid, oldPassword: old, newPassword: '135790' })).body.code).toBe('VALIDATION_FAILED');
  });

  it('daily limit change: set with the consumption password; out of range refused before any password is tried', async () => {
    const h = await holder();
    const res = await post(await kiosk(), 'PUT', '/v1/pos/kiosk/daily-limit', { chipUid: h.chipUid, dailyLimitFen: 20_000, consumptionPassword: CONSUMPTION });
    expect([res.status, res.body]).toEqual([200, { dailyLimitFen: 20_000 }]);
    expect((await getAccount(platform.deps.db, h.accountNo))!.dailyLimitFen).toBe(20_000);
    const before = await snapshot(h);
    for (const chipUid of [h.chipUid, unknownChip()]) {
      const high = await post(await kiosk(), 'PUT', '/v1/pos/kiosk/daily-limit', { chipUid, dailyLimitFen: DEFAULT_POLICY.maxDailyLimitFen + 1, consumptionPassword: '000000' });
      expect([high.status, high.body.code]).toEqual([400, 'DAILY_LIMIT_OUT_OF_RANGE']);
    }
    expect(await snapshot(h)).toEqual(before);
    expect(await failedAttempts(h, 'consumption')).toBe(0);
  });
});

describe('the older kiosk routes', () => {
  it('refuse a bank transfer and a card replacement at a terminal that is not a kiosk, before anything is tried', async () => {
    const h = await holder({ bankCardNo: '6222020087654321' });
    const before = await snapshot(h);
    for (const kind of ['pos', undefined] as const) {
      const terminal = await terminalOf(kind);
      const transfer = await post(terminal, 'POST', '/v1/pos/bank-transfers', { transferId: 'kind-1', chipUid: h.chipUid, amountFen: 1_000, queryPassword: QUERY, bankPin: '888888' });
      expect([transfer.status, transfer.body.code]).toEqual([403, 'TERMINAL_KIND_NOT_ALLOWED']);
      const replacement = await post(terminal, 'POST', '/v1/pos/card-replacements', { replacementId: 'kind-1', accountNo: h.accountNo, queryPassword: QUERY, newChipUid: unknownChip(), newKind: 'cpu' });
      expect([replacement.status, replacement.body.code]).toEqual([403, 'TERMINAL_KIND_NOT_ALLOWED']);
    }
    expect(await snapshot(h)).toEqual(before);
    expect(await failedAttempts(h, 'query')).toBe(0);
  });
});
