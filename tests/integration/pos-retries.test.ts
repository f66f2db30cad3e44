/**
 * Issue 11 items 2 and 3: a POS retry (same posTxnId, new request) and a replay (the identical
 * signed request again) answer as the original did, whatever the clock or the account says now;
 * and a terminal can ask what became of a payment, closing the id when it never posted.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import { createDeps, setDeps, type Deps } from '../../functions/deps';
import { fingerprint } from '../../functions/domain/fingerprint';
import type { Terminal } from '../../functions/domain/merchant';
import { planTopup } from '../../functions/domain/movement-plans';
import { hashPassword } from '../../functions/domain/passwords';
import { getAccount, setDailyLimit } from '../../functions/store/accounts';
import { getPasswordRecord, savePasswordRecord } from '../../functions/store/passwords';
import { signTerminalRequest } from '../../shared/terminal-signature';
import { createTestAccount, createTestTerminal, ledgerOf, setAccountStatus, terminalFetch, testChipUid } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const CHARGE = '/v1/pos/charges';
const PAY = '/v1/pos/qr-payments';
const txnPath = (posTxnId: string) => `/v1/pos/transactions/${posTxnId}`;

/** The server's clock, moved by the tests (the API reads its deps per request). */
let offsetMs = 0;
const serverNow = () => new Date(Date.now() + offsetMs);
let deps: Deps;
beforeAll(() => {
  deps = createDeps(readConfig(), { db: platform.deps.db, clock: serverNow });
  setDeps(deps);
});
afterAll(() => setDeps(undefined));

/** A terminal whose clock agrees with the server's (as NTP keeps it). */
const send = (terminal: Terminal, method: string, path: string, body: unknown, options: { nonce?: string } = {}) =>
  terminalFetch(platform.url, terminal, method, path, body, { now: serverNow(), ...options });

/** The identical signed request sent twice: the same bytes, timestamp, nonce and signature. */
function signedOnce(terminal: Terminal, path: string, body: unknown) {
  const raw = JSON.stringify(body);
  const headers = signTerminalRequest(terminal, { method: 'POST', path, body: raw, now: serverNow(), nonce: randomBytes(12).toString('base64url') });
  return async () => {
    const response = await fetch(platform.url + path, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: raw });
    return { status: response.status, body: (await response.json()) as any };
  };
}

let seq = 0;
const txnId = () => `r${process.pid}-${++seq}`;

async function topUp(accountNo: string, amountFen: number): Promise<void> {
  const ref = `retry-test-${++seq}`;
  await deps.movements.post({
    accountNo,
    idempotencyKey: `test#topup#${ref}`,
    fingerprint: fingerprint({ amountFen }),
    plan: (account, today) => planTopup(account, { amountFen, channel: 'counter', externalRef: ref }, today),
  });
}

/** A card charge as the POS sends it: the tapped card's chip UID. */
const chargeBody = async (accountNo: string, amountFen: number, posTxnId = txnId()) => ({ posTxnId, chipUid: await testChipUid(deps, accountNo), amountFen });

const balanceOf = async (accountNo: string) => (await getAccount(deps.db, accountNo))?.balanceFen;
const purchasesOf = async (accountNo: string) => (await ledgerOf(deps, accountNo)).filter((e) => e.type === 'purchase');

async function qrSetup(balanceFen = 10_000) {
  offsetMs = 0;
  const account = await createTestAccount(deps, { balanceFen, holderName: '王小明' });
  const phone = await bindPhone(platform.url, account.accountNo);
  const terminal = await createTestTerminal(deps);
  return { account, phone, terminal };
}

describe('a retry of a known posTxnId answers as the original did, whatever the clock says (item 2)', () => {
  it('a QR payment whose answer was lost: the retry 10 minutes later (code long expired) gets the original receipt, charged once', async () => {
    const { account, phone, terminal } = await qrSetup();
    const body = { posTxnId: txnId(), token: phone.code(), amountFen: 1_200 };
    const original = await send(terminal, 'POST', PAY, body);
    expect(original.status).toBe(200);
    offsetMs = 10 * 60_000;
    const retry = await send(terminal, 'POST', PAY, body);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ ...original.body, replayed: true });
    expect(await balanceOf(account.accountNo)).toBe(8_800);
    expect(await purchasesOf(account.accountNo)).toHaveLength(1);
  });

  it('the same posTxnId with another code or amount after the window is IDEMPOTENCY_CONFLICT, not a token refusal', async () => {
    const { account, phone, terminal } = await qrSetup();
    const token = phone.code();
    const otherToken = phone.code();
    const posTxnId = txnId();
    expect((await send(terminal, 'POST', PAY, { posTxnId, token, amountFen: 500 })).status).toBe(200);
    offsetMs = 10 * 60_000;
    for (const body of [
      { posTxnId, token, amountFen: 501 },
      { posTxnId, token: otherToken, amountFen: 500 },
      { posTxnId, token: 'EC1NOTATOKEN', amountFen: 500 },
    ]) {
      const res = await send(terminal, 'POST', PAY, body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      expect(res.body.code, JSON.stringify(body)).toBe('IDEMPOTENCY_CONFLICT');
    }
    expect(await balanceOf(account.accountNo)).toBe(9_500);
  });

  it('a retry after the holder rebound the phone (old key revoked) and reported the card lost still gets the receipt', async () => {
    const { account, phone, terminal } = await qrSetup();
    const body = { posTxnId: txnId(), token: phone.code(), amountFen: 300 };
    const original = await send(terminal, 'POST', PAY, body);
    await bindPhone(platform.url, account.accountNo);
    await setAccountStatus(deps, account.accountNo, 'lost');
    const retry = await send(terminal, 'POST', PAY, body);
    expect(retry.body).toEqual({ ...original.body, replayed: true });
  });
});

describe('GET /v1/pos/transactions/{posTxnId}: what became of a payment (item 2)', () => {
  it('answers a posted card charge and a posted QR payment of this terminal with its receipt', async () => {
    const { account, phone, terminal } = await qrSetup();
    const chargeId = txnId();
    const qrId = txnId();
    const charge = await send(terminal, 'POST', CHARGE, await chargeBody(account.accountNo, 250, chargeId));
    const qr = await send(terminal, 'POST', PAY, { posTxnId: qrId, token: phone.code(), amountFen: 750 });
    offsetMs = 60 * 60_000;
    const asked = await send(terminal, 'GET', txnPath(chargeId), undefined);
    expect(asked.status).toBe(200);
    expect(asked.body).toEqual({
      posTxnId: chargeId,
      status: 'posted',
      method: 'card',
      receiptNo: charge.body.receiptNo,
      amountFen: 250,
      balanceFen: charge.body.balanceFen,
      holderDisplayName: '王*明',
      postedAt: charge.body.postedAt,
    });
    expect((await send(terminal, 'GET', txnPath(qrId), undefined)).body).toMatchObject({ status: 'posted', method: 'qr', receiptNo: qr.body.receiptNo, amountFen: 750 });
  });

  it('answers not_found for an id that never posted, and for another terminal’s payment', async () => {
    const { account, terminal } = await qrSetup();
    const other = await createTestTerminal(deps);
    const posTxnId = txnId();
    await send(terminal, 'POST', CHARGE, await chargeBody(account.accountNo, 100, posTxnId));
    expect((await send(other, 'GET', txnPath(posTxnId), undefined)).body).toEqual({ posTxnId, status: 'not_found' });
    expect((await send(terminal, 'GET', txnPath('never-sent'), undefined)).body).toEqual({ posTxnId: 'never-sent', status: 'not_found' });
    // Asking again gives the same answer.
    expect((await send(terminal, 'GET', txnPath('never-sent'), undefined)).body).toEqual({ posTxnId: 'never-sent', status: 'not_found' });
  });

  it('not_found closes the id: the original request arriving late can never post (POS_TXN_CLOSED), for a charge and a QR payment', async () => {
    const { account, phone, terminal } = await qrSetup();
    const chargeId = txnId();
    const lateCharge = signedOnce(terminal, CHARGE, await chargeBody(account.accountNo, 100, chargeId));
    const qrId = txnId();
    const lateQr = signedOnce(terminal, PAY, { posTxnId: qrId, token: phone.code(), amountFen: 100 });
    expect((await send(terminal, 'GET', txnPath(chargeId), undefined)).body.status).toBe('not_found');
    expect((await send(terminal, 'GET', txnPath(qrId), undefined)).body.status).toBe('not_found');
    for (const late of [lateCharge, lateQr]) {
      const res = await late();
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('POS_TXN_CLOSED');
    }
    expect(await balanceOf(account.accountNo)).toBe(10_000);
    // The sale itself goes through under a new id.
    expect((await send(terminal, 'POST', CHARGE, await chargeBody(account.accountNo, 100, txnId()))).status).toBe(200);
  });

  it('a query racing the original: either the query says posted, or the payment is refused; never not_found and a charge', async () => {
    const { account, terminal } = await qrSetup();
    for (let i = 0; i < 8; i++) {
      const posTxnId = txnId();
      const before = (await balanceOf(account.accountNo))!;
      const [payment, query] = await Promise.all([
        send(terminal, 'POST', CHARGE, await chargeBody(account.accountNo, 10, posTxnId)),
        send(terminal, 'GET', txnPath(posTxnId), undefined),
      ]);
      const charged = (await balanceOf(account.accountNo)) !== before;
      if (query.body.status === 'not_found') {
        expect(payment.body.code).toBe('POS_TXN_CLOSED');
        expect(charged).toBe(false);
      } else {
        expect(query.body).toMatchObject({ status: 'posted', receiptNo: payment.body.receiptNo });
        expect(charged).toBe(true);
      }
    }
  });
});

describe('a replayed refused request answers the stored refusal, never a new evaluation (item 3)', () => {
  it('QR: INSUFFICIENT_BALANCE, a top-up, the identical signed request again → still INSUFFICIENT_BALANCE, no charge', async () => {
    const { account, phone, terminal } = await qrSetup(1_000);
    const request = signedOnce(terminal, PAY, { posTxnId: txnId(), token: phone.code(), amountFen: 1_500 });
    expect((await request()).body.code).toBe('INSUFFICIENT_BALANCE');
    await topUp(account.accountNo, 5_000);
    const replay = await request();
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('INSUFFICIENT_BALANCE');
    expect(await balanceOf(account.accountNo)).toBe(6_000);
  });

  it('card charge: INSUFFICIENT_BALANCE, a top-up, the replay → still INSUFFICIENT_BALANCE, no charge', async () => {
    const account = await createTestAccount(deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(deps);
    const request = signedOnce(terminal, CHARGE, await chargeBody(account.accountNo, 1_500, txnId()));
    expect((await request()).body.code).toBe('INSUFFICIENT_BALANCE');
    await topUp(account.accountNo, 5_000);
    expect((await request()).body.code).toBe('INSUFFICIENT_BALANCE');
    expect(await balanceOf(account.accountNo)).toBe(6_000);
  });

  it('card charge: CARD_LOST, the card found again, the replay → still CARD_LOST', async () => {
    const account = await createTestAccount(deps, { balanceFen: 1_000, status: 'lost' });
    const terminal = await createTestTerminal(deps);
    const request = signedOnce(terminal, CHARGE, await chargeBody(account.accountNo, 100, txnId()));
    expect((await request()).body.code).toBe('CARD_LOST');
    await setAccountStatus(deps, account.accountNo, 'active');
    expect((await request()).body.code).toBe('CARD_LOST');
    expect(await balanceOf(account.accountNo)).toBe(1_000);
  });

  it('PASSWORD_REQUIRED, the daily limit raised, the replay → still PASSWORD_REQUIRED (card and QR)', async () => {
    const { account, phone, terminal } = await qrSetup(50_000);
    await setDailyLimit(deps.db, (await getAccount(deps.db, account.accountNo))!, 1_000);
    const charge = signedOnce(terminal, CHARGE, await chargeBody(account.accountNo, 1_500, txnId()));
    const qr = signedOnce(terminal, PAY, { posTxnId: txnId(), token: phone.code(), amountFen: 1_500 });
    expect((await charge()).body.code).toBe('PASSWORD_REQUIRED');
    expect((await qr()).body.code).toBe('PASSWORD_REQUIRED');
    await setDailyLimit(deps.db, (await getAccount(deps.db, account.accountNo))!, 60_000);
    expect((await charge()).body.code).toBe('PASSWORD_REQUIRED');
    expect((await qr()).body.code).toBe('PASSWORD_REQUIRED');
    expect(await balanceOf(account.accountNo)).toBe(50_000);
  });

  it('a refusal stored for a request does not answer another request that reuses its nonce (TERMINAL_NONCE_REUSED)', async () => {
    const account = await createTestAccount(deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(deps);
    const nonce = randomBytes(12).toString('base64url');
    expect((await send(terminal, 'POST', CHARGE, await chargeBody(account.accountNo, 1_500, txnId()), { nonce })).body.code).toBe('INSUFFICIENT_BALANCE');
    const reuse = await send(terminal, 'POST', CHARGE, await chargeBody(account.accountNo, 100, txnId()), { nonce });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('TERMINAL_NONCE_REUSED');
  });
});

describe('with the consumption password (the nonce is spent before the password is checked)', () => {
  async function withPassword() {
    const ctx = await qrSetup(20_000);
    const record = await hashPassword('135790', { now: new Date(), params: { N: 1024, r: 8, p: 1, keyLength: 32 } });
    await savePasswordRecord(deps.db, ctx.account.accountNo, 'consumption', record, undefined);
    await setDailyLimit(deps.db, (await getAccount(deps.db, ctx.account.accountNo))!, 1_000);
    return ctx;
  }

  it('a replayed wrong guess answers PASSWORD_WRONG again without counting another wrong attempt', async () => {
    const { account, phone, terminal } = await withPassword();
    const guess = signedOnce(terminal, PAY, { posTxnId: txnId(), token: phone.code(), amountFen: 1_500, consumptionPassword: '000000' });
    expect((await guess()).body.code).toBe('PASSWORD_WRONG');
    const failedAfterOne = (await getPasswordRecord(deps.db, account.accountNo, 'consumption'))!.failedAttempts;
    for (let i = 0; i < 3; i++) expect((await guess()).body.code).toBe('PASSWORD_WRONG');
    expect((await getPasswordRecord(deps.db, account.accountNo, 'consumption'))!.failedAttempts).toBe(failedAfterOne);
  });

  it('a replayed right password answers the original receipt, charged once', async () => {
    const { account, phone, terminal } = await withPassword();
    const pay = signedOnce(terminal, PAY, { posTxnId: txnId(), token: phone.code(), amountFen: 1_500, consumptionPassword: '135790' });
    const original = await pay();
    expect(original.status).toBe(200);
    const replay = await pay();
    expect(replay.body).toEqual({ ...original.body, replayed: true });
    expect(await balanceOf(account.accountNo)).toBe(18_500);
  });

  it('a retry of a password payment after the code expired answers the receipt', async () => {
    const { account, phone, terminal } = await withPassword();
    const body = { posTxnId: txnId(), token: phone.code(), amountFen: 1_500, consumptionPassword: '135790' };
    const original = await send(terminal, 'POST', PAY, body);
    offsetMs = 10 * 60_000;
    expect((await send(terminal, 'POST', PAY, body)).body).toEqual({ ...original.body, replayed: true });
    expect(await balanceOf(account.accountNo)).toBe(18_500);
  });
});
