import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../functions/domain/passwords';
import { getAccount } from '../../functions/store/accounts';
import { savePasswordRecord } from '../../functions/store/passwords';
import { createTestAccount, createTestTerminal, ledgerOf, terminalFetch, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const PATH = '/v1/pos/charges';

describe('POST /v1/pos/charges', () => {
  it('debits the account, writes one ledger entry with the balance after, and answers the POS', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000, holderName: '张三明' });
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'txn-1', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 1_250 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accountNo: account.accountNo, amountFen: 1_250, balanceFen: 8_750, holderDisplayName: '张*明', replayed: false });
    expect(res.body.receiptNo).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const after = await getAccount(platform.deps.db, account.accountNo);
    expect(after?.balanceFen).toBe(8_750);
    expect(after?.dailySpentFen).toBe(1_250);
    const purchases = (await ledgerOf(platform.deps, account.accountNo)).filter((entry) => entry.type === 'purchase');
    expect(purchases).toHaveLength(1);
    expect(purchases[0]).toMatchObject({
      receiptNo: res.body.receiptNo,
      amountFen: 1_250,
      delta: { balanceFen: -1_250, transitionalFen: 0, smallWalletFen: 0 },
      after: { balanceFen: 8_750 },
      merchantId: terminal.merchantId,
      terminalId: terminal.terminalId,
      externalRef: 'txn-1',
      channel: 'pos',
    });
  });

  it('answers a retry with the same posTxnId with the original receipt and charges once', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(platform.deps);
    const body = { posTxnId: 'retry-me', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 600 };
    const first = await terminalFetch(platform.url, terminal, 'POST', PATH, body);
    // Retried after the balance could no longer pay for it: still the original success, not a refusal.
    const second = await terminalFetch(platform.url, terminal, 'POST', PATH, body);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ ...first.body, replayed: true });
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(400);
    expect((await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.type === 'purchase')).toHaveLength(1);
  });

  it('refuses the same posTxnId for a different amount or account (IDEMPOTENCY_CONFLICT) and changes nothing', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const other = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const terminal = await createTestTerminal(platform.deps);
    await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'same', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 });
    const otherAmount = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'same', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 200 });
    const otherAccount = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'same', chipUid: await testChipUid(platform.deps, other.accountNo), amountFen: 100 });
    for (const res of [otherAmount, otherAccount]) {
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('IDEMPOTENCY_CONFLICT');
    }
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(4_900);
    expect((await getAccount(platform.deps.db, other.accountNo))?.balanceFen).toBe(5_000);
  });

  it('the same posTxnId from two different terminals is two payments', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const [a, b] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    const body = { posTxnId: '0001', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 };
    expect((await terminalFetch(platform.url, a, 'POST', PATH, body)).status).toBe(200);
    expect((await terminalFetch(platform.url, b, 'POST', PATH, body)).status).toBe(200);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(800);
  });

  it.each([
    ['INSUFFICIENT_BALANCE', 409, { balanceFen: 99 }],
    ['CARD_LOST', 409, { balanceFen: 10_000, status: 'lost' as const }],
    ['CARD_FROZEN', 409, { balanceFen: 10_000, status: 'frozen' as const }],
    ['CARD_CANCELLED', 409, { balanceFen: 10_000, status: 'cancelled' as const }],
    ['CARD_EXPIRED', 409, { balanceFen: 10_000, status: 'expired' as const }],
  ])('refuses with %s and changes nothing', async (code, status, setup) => {
    const created = await createTestAccount(platform.deps, setup);
    const chipUid = await testChipUid(platform.deps, created.accountNo);
    const account = (await getAccount(platform.deps.db, created.accountNo))!;
    const terminal = await createTestTerminal(platform.deps);
    const ledgerBefore = await ledgerOf(platform.deps, account.accountNo);
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'x1', chipUid, amountFen: 100 });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code, message: { zh: expect.any(String), en: expect.any(String) }, requestId: expect.any(String) });
    const after = await getAccount(platform.deps.db, account.accountNo);
    expect(after?.balanceFen).toBe(account.balanceFen);
    expect(after?.version).toBe(account.version);
    expect(await ledgerOf(platform.deps, account.accountNo)).toEqual(ledgerBefore);
  });

  it('refuses an unknown card with CARD_NOT_FOUND', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'x2', chipUid: 'FFFFFFFF00000000', amountFen: 100 });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('CARD_NOT_FOUND');
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  const bad: [string, unknown][] = [
    ['zero amount', { amountFen: 0 }],
    ['negative amount', { amountFen: -100 }],
    ['fractional fen', { amountFen: 1.5 }],
    ['amount over 2^53', { amountFen: 2 ** 53 + 2 }],
    ['amount as a string', { amountFen: '100' }],
    ['amount as a decimal yuan string', { amountFen: '1.00' }],
    ['amount missing', { amountFen: undefined }],
    ['amount null', { amountFen: null }],
    ['chip UID in lower case', { chipUid: 'abcdef0123' }],
    ['chip UID missing', { chipUid: undefined }],
    ['the account number instead of the card', { accountNo: '100001' }],
    ['negative chip balance', { chipBalanceFen: -1 }],
    ['posTxnId with a separator', { posTxnId: 'a#b' }],
    ['posTxnId too long', { posTxnId: 'x'.repeat(65) }],
    ['unknown field', { tip: 5 }],
  ];

  it.each(bad)('%s → 400 VALIDATION_FAILED', async (_name, change) => {
    const created = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const chipUid = await testChipUid(platform.deps, created.accountNo);
    const account = (await getAccount(platform.deps.db, created.accountNo))!;
    const terminal = await createTestTerminal(platform.deps);
    const body = { posTxnId: 'bad-1', chipUid, amountFen: 100, ...(change as object) };
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toEqual({ zh: '请求参数有误', en: 'The request is invalid' });
    expect(res.body.issues.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|stack/i);
    const after = await getAccount(platform.deps.db, account.accountNo);
    expect(after?.balanceFen).toBe(10_000);
    expect(after?.version).toBe(account.version);
  });

  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, undefined, { rawBody: '{"posTxnId": "a", ' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  it('a body that is not JSON → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, undefined, { rawBody: 'amountFen=100', contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('an empty body → 400 VALIDATION_FAILED', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, undefined);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('above the daily limit a card tap takes the consumption password (P----)', () => {
  it('PASSWORD_REQUIRED, then the same posTxnId with the password: charged once; a wrong one charges nothing', async () => {
    const created = await createTestAccount(platform.deps, { balanceFen: 20_000 }); // limit 50 yuan
    const chipUid = await testChipUid(platform.deps, created.accountNo);
    const record = await hashPassword('135790', { now: new Date(), params: { N: 1024, r: 8, p: 1, keyLength: 32 } });
    await savePasswordRecord(platform.deps.db, created.accountNo, 'consumption', record, undefined);
    const terminal = await createTestTerminal(platform.deps);
    const body = { posTxnId: 'pw-1', chipUid, amountFen: 6_000 };
    expect((await terminalFetch(platform.url, terminal, 'POST', PATH, body)).body.code).toBe('PASSWORD_REQUIRED');
    const wrong = await terminalFetch(platform.url, terminal, 'POST', PATH, { ...body, consumptionPassword: '000000' });
    expect(wrong.body.code).toBe('PASSWORD_WRONG');
    expect((await getAccount(platform.deps.db, created.accountNo))?.balanceFen).toBe(20_000);
    const right = await terminalFetch(platform.url, terminal, 'POST', PATH, { ...body, consumptionPassword: '135790' });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ amountFen: 6_000, balanceFen: 14_000, replayed: false });
    const again = await terminalFetch(platform.url, terminal, 'POST', PATH, { ...body, consumptionPassword: '135790' });
    expect(again.body).toMatchObject({ receiptNo: right.body.receiptNo, replayed: true });
    expect((await ledgerOf(platform.deps, created.accountNo)).filter((e) => e.type === 'purchase')).toHaveLength(1);
  });
});
