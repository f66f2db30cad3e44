/** The offline POS: bundle, then uploads that arrive late, twice, out of order, or that break the reconciliation rules. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { getAccount } from '../../functions/store/accounts';
import { issueCard } from '../../functions/store/cards';
import { keys } from '../../functions/store/keys';
import { getOfflineRecord } from '../../functions/store/offline';
import { listOpenFindings } from '../../functions/store/reconciliation-findings';
import { topUp } from '../../functions/services/movements';
import { replaceCard } from '../../functions/services/card-lifecycle';
import { generateDeviceKeyPair, signQrToken, timeStepAt } from '../../shared/qr-token';
import { createTestAccount, createTestTerminal, ledgerOf, setAccountStatus, terminalFetch } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const findingsAbout = async (ref: string) => (await listOpenFindings(platform.deps.db, { limit: 1000 })).findings.filter((f) => f.ref === ref);
const platform = useTestPlatform({ http: true });
const UPLOAD = '/v1/pos/offline-uploads';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

async function holder(balanceFen = 10_000) {
  const account = await createTestAccount(platform.deps, { balanceFen });
  const phone = await bindPhone(platform.url, account.accountNo);
  return { account, phone };
}

function qrRecord(recordId: string, token: string, at: Date, amountFen: number) {
  return { recordId, occurredAt: at.toISOString(), amountFen, method: 'qr' as const, token };
}

async function balanceOf(accountNo: string) {
  return (await getAccount(platform.deps.db, accountNo))!;
}

describe('the offline bundle', () => {
  it('lists active phone keys with a per-account offline cap, and blacklists blocked accounts and their cards (their keys kept, marked with the online refusal, no cap)', async () => {
    const ok = await holder(3_000);
    const lost = await holder(9_000);
    const frozen = await holder(2_000);
    await setAccountStatus(platform.deps, frozen.account.accountNo, 'frozen');
    await issueCard(platform.deps.db, { cardId: 'C-LOST', accountNo: lost.account.accountNo, kind: 'cpu', chipUid: 'AA00BB11CC22DD', status: 'active', issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
    await setAccountStatus(platform.deps, lost.account.accountNo, 'lost');
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'GET', '/v1/pos/offline-bundle', undefined);
    expect(res.status).toBe(200);
    const bundle = res.body;
    expect(Date.parse(bundle.expiresAt) - Date.parse(bundle.issuedAt)).toBe(24 * 3600_000);
    expect(bundle.keys).toContainEqual({ keyId: ok.phone.keyId, publicKey: expect.any(String), accountNo: ok.account.accountNo, offlineCapFen: 3_000 });
    expect(bundle.keys.find((k: { keyId: number }) => k.keyId === ok.phone.keyId)).not.toHaveProperty('blocked');
    // The lost account's key stays, so offline its code says CARD_LOST (as online) rather than TOKEN_INVALID; it can pay nothing.
    expect(bundle.keys).toContainEqual({ keyId: lost.phone.keyId, publicKey: expect.any(String), accountNo: lost.account.accountNo, offlineCapFen: 0, blocked: 'CARD_LOST' });
    expect(bundle.blacklist.accountNos).toContain(lost.account.accountNo);
    expect(bundle.keys).toContainEqual(expect.objectContaining({ keyId: frozen.phone.keyId, offlineCapFen: 0, blocked: 'CARD_FROZEN' }));
    expect(bundle.blacklist.accountNos).toContain(frozen.account.accountNo);
    expect(bundle.blacklist.chipUids).toContain('AA00BB11CC22DD');
  });

  it('every blacklisted chip carries the refusal the online charge gives it: CARD_LOST, CARD_FROZEN, CARD_VOID for a replaced card', async () => {
    const chip = (n: number) => `BB${String(process.pid % 10_000).padStart(4, '0')}${String(n).padStart(8, '0')}`;
    const withCard = async (chipUid: string) => {
      const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
      await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: 'm1', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
      return account.accountNo;
    };
    const [lost, frozen, replaced] = [chip(1), chip(2), chip(3)];
    await setAccountStatus(platform.deps, await withCard(lost), 'lost');
    await setAccountStatus(platform.deps, await withCard(frozen), 'frozen');
    const replacedAccount = await withCard(replaced);
    await replaceCard(platform.deps, { accountNo: replacedAccount, idempotencyKey: `replacement#t#${replacedAccount}`, externalRef: 'r1', operator: 'staff', newChipUid: chip(4), newKind: 'm1', handedOver: 'counter' });
    const terminal = await createTestTerminal(platform.deps);
    const { blacklist } = (await terminalFetch(platform.url, terminal, 'GET', '/v1/pos/offline-bundle', undefined)).body;
    expect(blacklist.chipReasons).toMatchObject({ [lost]: 'CARD_LOST', [frozen]: 'CARD_FROZEN', [replaced]: 'CARD_VOID' });
    expect(blacklist.chipUids).toEqual(Object.keys(blacklist.chipReasons).sort());
    expect(blacklist.chipUids).not.toContain(chip(4));
    // Online, the same cards are refused with the same codes.
    for (const [chipUid, code] of [[lost, 'CARD_LOST'], [frozen, 'CARD_FROZEN'], [replaced, 'CARD_VOID']] as const) {
      const res = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/charges', { posTxnId: `online-${chipUid}`, chipUid, amountFen: 100 });
      expect(res.body.code).toBe(code);
    }
  });
});

describe('offline uploads', () => {
  it('applies records once, in the order they happened, however often and in whatever order they arrive', async () => {
    const { account, phone } = await holder(10_000);
    const terminal = await createTestTerminal(platform.deps);
    const records = [
      qrRecord('r3', phone.code({ at: minutesAgo(10) }), minutesAgo(10), 300),
      qrRecord('r1', phone.code({ at: minutesAgo(50) }), minutesAgo(50), 100),
      qrRecord('r2', phone.code({ at: minutesAgo(30) }), minutesAgo(30), 200),
    ];
    const first = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, { records });
    expect(first.status).toBe(200);
    expect(first.body.results.map((r: { recordId: string; outcome: string }) => [r.recordId, r.outcome])).toEqual([
      ['r3', 'applied'],
      ['r1', 'applied'],
      ['r2', 'applied'],
    ]);
    // The same upload again, twice at once, then one record alone: nothing more is charged.
    const again = await Promise.all([
      terminalFetch(platform.url, terminal, 'POST', UPLOAD, { records: [...records].reverse() }),
      terminalFetch(platform.url, terminal, 'POST', UPLOAD, { records }),
    ]);
    for (const res of again) expect(res.body.results.every((r: { replayed: boolean; outcome: string }) => r.replayed && r.outcome === 'applied')).toBe(true);
    expect(again[1].body.results.map((r: { receiptNo: string }) => r.receiptNo)).toEqual(first.body.results.map((r: { receiptNo: string }) => r.receiptNo));
    expect((await balanceOf(account.accountNo)).balanceFen).toBe(9_400);
    const offline = (await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.channel === 'offline_pos');
    expect(offline.map((e) => e.externalRef)).toEqual(['r1', 'r2', 'r3']); // ledger order = when they happened
  });

  it('accepts a record uploaded days late (the code was valid when the POS took it)', async () => {
    const { account, phone } = await holder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    const when = minutesAgo(3 * 24 * 60);
    const res = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, { records: [qrRecord('late', phone.code({ at: when }), when, 800)] });
    expect(res.body.results[0]).toMatchObject({ outcome: 'applied', balanceFen: 4_200 });
    expect((await balanceOf(account.accountNo)).balanceFen).toBe(4_200);
  });

  it('a record that would overdraw is held, never lost and never charged, and the account is frozen', async () => {
    const { account, phone } = await holder(500);
    const terminal = await createTestTerminal(platform.deps);
    const record = qrRecord('big', phone.code({ at: minutesAgo(5) }), minutesAgo(5), 800);
    const res = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, { records: [record] });
    expect(res.body.results[0]).toMatchObject({ outcome: 'held', reason: 'insufficient_balance', frozen: true, replayed: false });
    const after = await balanceOf(account.accountNo);
    expect(after.balanceFen).toBe(500);
    expect(after.status).toBe('frozen');
    expect(await getOfflineRecord(platform.deps.db, terminal.terminalId, 'big')).toMatchObject({ accountNo: account.accountNo, amountFen: 800, result: { outcome: 'held' } });
    // Uploaded again (the POS did not get the answer), even after a top-up: the same held record, nothing charged.
    await topUp(platform.deps, { accountNo: account.accountNo, amountFen: 1_000, channel: 'counter', externalRef: 'after-hold' });
    const again = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, { records: [record] });
    expect(again.body.results[0]).toMatchObject({ outcome: 'held', reason: 'insufficient_balance', replayed: true });
    expect((await balanceOf(account.accountNo)).balanceFen).toBe(1_500);
    // The merchant's claim waits in the card centre's reconciliation queue, once however often it is uploaded.
    expect(await findingsAbout(`${terminal.terminalId}/big`)).toEqual([
      expect.objectContaining({ source: 'offline_upload', kind: 'offline_record_held', accountNo: account.accountNo, outsideFen: 800, oursFen: 0, status: 'open' }),
    ]);
  });

  it('a card record whose chip and database end more than 50 yuan apart is applied and the account frozen', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 20_000 });
    await issueCard(platform.deps.db, { cardId: 'C-MIS', accountNo: account.accountNo, kind: 'cpu', chipUid: '04DEADBEEF0001', status: 'active', issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, {
      records: [{ recordId: 'card-1', occurredAt: minutesAgo(20).toISOString(), amountFen: 1_000, method: 'card', chipUid: '04DEADBEEF0001', chipBalanceAfterFen: 12_000 }],
    });
    expect(res.body.results[0]).toMatchObject({ outcome: 'applied', balanceFen: 19_000, frozen: true });
    const after = await balanceOf(account.accountNo);
    expect(after).toMatchObject({ status: 'frozen', balanceFen: 19_000, chipBalanceFen: 12_000 });
  });

  it('a levelling never touches QR records: one from before it is charged as usual', async () => {
    const { account, phone } = await holder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    const paidAt = minutesAgo(6 * 24 * 60);
    await platform.deps.db.doc.send(
      new UpdateCommand({ TableName: platform.tableName, Key: keys.account(account.accountNo), UpdateExpression: 'SET levelledAt = :t', ExpressionAttributeValues: { ':t': minutesAgo(24 * 60).toISOString() } }),
    );
    const res = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, { records: [qrRecord('old', phone.code({ at: paidAt }), paidAt, 600)] });
    expect(res.body.results[0]).toMatchObject({ outcome: 'applied', balanceFen: 4_400 });
    expect(await balanceOf(account.accountNo)).toMatchObject({ balanceFen: 4_400, status: 'active' });
  });

  it('one code taken by two offline terminals: the first is charged, the second held for review', async () => {
    const { account, phone } = await holder(5_000);
    const [a, b] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    const token = phone.code({ at: minutesAgo(15) });
    expect((await terminalFetch(platform.url, a, 'POST', UPLOAD, { records: [qrRecord('x', token, minutesAgo(15), 400)] })).body.results[0].outcome).toBe('applied');
    expect((await terminalFetch(platform.url, b, 'POST', UPLOAD, { records: [qrRecord('y', token, minutesAgo(15), 400)] })).body.results[0]).toMatchObject({ outcome: 'held', reason: 'token_reused' });
    expect((await balanceOf(account.accountNo)).balanceFen).toBe(4_600);
  });

  it('a forged code or an unknown card is rejected but kept; the other records of the upload still apply', async () => {
    const { account, phone } = await holder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    const forged = signQrToken({ version: 1, purpose: 'pay', keyId: phone.keyId, timeStep: timeStepAt(minutesAgo(3).getTime()), counter: 9 }, generateDeviceKeyPair().privateKey);
    const res = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, {
      records: [
        qrRecord('forged', forged, minutesAgo(3), 100),
        { recordId: 'nocard', occurredAt: minutesAgo(3).toISOString(), amountFen: 100, method: 'card', chipUid: '04000000000000', chipBalanceAfterFen: 0 },
        qrRecord('good', phone.code({ at: minutesAgo(3) }), minutesAgo(3), 100),
      ],
    });
    expect(res.body.results.map((r: { outcome: string; reason?: string }) => [r.outcome, r.reason])).toEqual([
      ['rejected', 'TOKEN_INVALID'],
      ['rejected', 'UNKNOWN_CARD'],
      ['applied', undefined],
    ]);
    expect(await getOfflineRecord(platform.deps.db, terminal.terminalId, 'forged')).toMatchObject({ amountFen: 100, result: { outcome: 'rejected' } });
    expect((await balanceOf(account.accountNo)).balanceFen).toBe(4_900);
    for (const recordId of ['forged', 'nocard']) {
      expect(await findingsAbout(`${terminal.terminalId}/${recordId}`)).toEqual([expect.objectContaining({ source: 'offline_upload', kind: 'offline_record_rejected', outsideFen: 100 })]);
    }
    expect(await findingsAbout(`${terminal.terminalId}/good`)).toEqual([]);
  });

  it.each([
    ['no records', { records: [] }],
    ['too many records', { records: Array.from({ length: 201 }, (_, i) => ({ recordId: `r${i}`, occurredAt: new Date().toISOString(), amountFen: 1, method: 'card', chipUid: '04000000000001', chipBalanceAfterFen: 0 })) }],
    ['a repeated recordId', { records: [0, 1].map(() => ({ recordId: 'same', occurredAt: new Date().toISOString(), amountFen: 1, method: 'card', chipUid: '04000000000001', chipBalanceAfterFen: 0 })) }],
    ['a qr record without its code', { records: [{ recordId: 'q', occurredAt: new Date().toISOString(), amountFen: 1, method: 'qr' }] }],
    ['a card record without the chip balance', { records: [{ recordId: 'c', occurredAt: new Date().toISOString(), amountFen: 1, method: 'card', chipUid: '04000000000001' }] }],
    ['a fractional amount', { records: [{ recordId: 'f', occurredAt: new Date().toISOString(), amountFen: 1.5, method: 'card', chipUid: '04000000000001', chipBalanceAfterFen: 0 }] }],
    ['a time that is not ISO', { records: [{ recordId: 't', occurredAt: 'yesterday', amountFen: 1, method: 'card', chipUid: '04000000000001', chipBalanceAfterFen: 0 }] }],
  ])('refuses an upload with %s (VALIDATION_FAILED, nothing stored)', async (_name, body) => {
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    for (const id of ['r0', 'same', 'q', 'c', 'f', 't']) expect(await getOfflineRecord(platform.deps.db, terminal.terminalId, id)).toBeUndefined();
  });
});
