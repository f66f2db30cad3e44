/**
 * Issue 11 (money lost at the edges), the card side: every card path names the card and is judged by
 * that card's status when it was used; the chip is kept in step; levelling; the replaced-today rule
 * everywhere; closing holds back for offline terminals; a used code is remembered long enough.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import { createDeps } from '../../functions/deps';
import { campusDay } from '../../functions/domain/campus-day';
import { USED_PAY_TOKEN_KEEP_SECONDS } from '../../functions/domain/offline';
import { closeAccountWithRefund, chargeFee } from '../../functions/services/movements';
import { chargeAtTerminal } from '../../functions/services/charge';
import { settleClosedAccounts } from '../../functions/services/closings';
import { levelByCardCentre } from '../../functions/services/levelling';
import { replaceCard } from '../../functions/services/card-lifecycle';
import { uploadOfflineRecords } from '../../functions/services/offline';
import { auditAccount } from '../../functions/domain/audit';
import { getAccount } from '../../functions/store/accounts';
import { issueCard, listCards } from '../../functions/store/cards';
import { keys } from '../../functions/store/keys';
import { putMerchant } from '../../functions/store/terminals';
import type { Terminal } from '../../functions/domain/merchant';
import { createTestAccount, createTestTerminal, ledgerOf, setAccountStatus, terminalFetch } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { listActionLogDay } from '../../functions/store/action-log';
import { parseQrToken, qrTokenId } from '../../shared/qr-token';

const tokenIdOf = (token: string) => qrTokenId(parseQrToken(token).payload);

const platform = useTestPlatform({ http: true });
const CHARGE = '/v1/pos/charges';
const UPLOAD = '/v1/pos/offline-uploads';
let chipSeq = 0;
const newChip = () => `C0FFEE${String(process.pid % 10_000).padStart(4, '0')}${String(++chipSeq).padStart(4, '0')}`;
const at = (iso: string) => createDeps(readConfig(), { clock: () => new Date(iso), db: platform.deps.db });

async function withCard(balanceFen: number, kind: 'cpu' | 'm1' = 'cpu') {
  const account = await createTestAccount(platform.deps, { balanceFen, dailyLimitFen: 60_000 });
  const chipUid = newChip();
  const now = platform.deps.clock();
  await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind, chipUid, status: 'active', issuedAt: now.toISOString(), issuedOn: '2026-09-01' });
  return { accountNo: account.accountNo, chipUid, cardId: `C${chipUid}` };
}

async function account(accountNo: string) {
  return (await getAccount(platform.deps.db, accountNo))!;
}

async function expectAuditClean(accountNo: string) {
  expect(auditAccount(await account(accountNo), await ledgerOf(platform.deps, accountNo))).toEqual([]);
}

async function placeTerminal(category: 'canteen' | 'library'): Promise<Terminal> {
  const merchantId = `M${category}${++chipSeq}`;
  const terminal = await createTestTerminal(platform.deps, { merchantId });
  await putMerchant(platform.deps.db, { merchantId, name: category, category, status: 'active', createdAt: new Date().toISOString() });
  return terminal;
}

describe('1. a void or lost card never pays', () => {
  it('online: the old card of a replacement is refused (CARD_VOID), the new one pays; a lost card is refused (CARD_LOST)', async () => {
    const old = await withCard(10_000, 'm1');
    const terminal = await createTestTerminal(platform.deps);
    const newChipUid = newChip();
    await replaceCard(platform.deps, { accountNo: old.accountNo, idempotencyKey: `replacement#t#${old.accountNo}`, externalRef: 'r1', operator: 'staff', newChipUid, newKind: 'm1', handedOver: 'counter' });
    const before = await account(old.accountNo);
    const refused = await terminalFetch(platform.url, terminal, 'POST', CHARGE, { posTxnId: 'void-1', chipUid: old.chipUid, amountFen: 500 });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CARD_VOID');
    expect((await account(old.accountNo)).balanceFen).toBe(before.balanceFen);
    const paid = await terminalFetch(platform.url, terminal, 'POST', CHARGE, { posTxnId: 'void-2', chipUid: newChipUid, amountFen: 500 });
    expect(paid.status).toBe(200);

    const lost = await withCard(10_000, 'm1');
    await setLost(lost.accountNo, lost.cardId, lost.chipUid);
    const res = await terminalFetch(platform.url, terminal, 'POST', CHARGE, { posTxnId: 'lost-1', chipUid: lost.chipUid, amountFen: 500 });
    expect(res.body.code).toBe('CARD_LOST');
  });

  it('the blacklist keeps a replaced card for ever, not only while its account is blocked', async () => {
    const old = await withCard(10_000, 'm1');
    await replaceCard(platform.deps, { accountNo: old.accountNo, idempotencyKey: `replacement#t#${old.accountNo}`, externalRef: 'r1', operator: 'staff', newChipUid: newChip(), newKind: 'm1', handedOver: 'counter' });
    expect((await account(old.accountNo)).status).toBe('active');
    const terminal = await createTestTerminal(platform.deps);
    const bundle = await terminalFetch(platform.url, terminal, 'GET', '/v1/pos/offline-bundle', undefined);
    expect(bundle.body.blacklist.chipUids).toContain(old.chipUid);
  });

  it('offline: a record made with the old card after the replacement, or with a lost card after the report, is held and never charged', async () => {
    const holder = await withCard(10_000, 'm1');
    const terminal = await createTestTerminal(platform.deps);
    const beforeReplacement = new Date(Date.now() - 60 * 60_000);
    await replaceCard(platform.deps, { accountNo: holder.accountNo, idempotencyKey: `replacement#t#${holder.accountNo}`, externalRef: 'r1', operator: 'staff', newChipUid: newChip(), newKind: 'm1', handedOver: 'counter' });
    const afterReplacement = new Date(Date.now() + 60_000);
    const res = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, {
      records: [
        { recordId: 'before', occurredAt: beforeReplacement.toISOString(), amountFen: 300, method: 'card', chipUid: holder.chipUid, chipBalanceAfterFen: 9_700 },
        { recordId: 'after', occurredAt: afterReplacement.toISOString(), amountFen: 400, method: 'card', chipUid: holder.chipUid, chipBalanceAfterFen: 9_300 },
      ],
    });
    expect(res.body.results.map((r: { outcome: string; reason?: string }) => [r.outcome, r.reason ?? null])).toEqual([
      ['applied', null],
      ['held', 'card_void'],
    ]);
    // 100 yuan less the replacement fee (20) less the one payment made while the card was valid.
    expect((await account(holder.accountNo)).balanceFen).toBe(10_000 - 2_000 - 300);

    const qr = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const phone = await bindPhone(platform.url, qr.accountNo);
    const beforeLoss = new Date(Date.now() - 2 * 60_000);
    await setAccountStatus(platform.deps, qr.accountNo, 'lost');
    const afterLoss = new Date(Date.now() + 30_000);
    const upload = await terminalFetch(platform.url, terminal, 'POST', UPLOAD, {
      records: [
        { recordId: 'qr-before', occurredAt: beforeLoss.toISOString(), amountFen: 200, method: 'qr', token: phone.code({ at: beforeLoss }) },
        { recordId: 'qr-after', occurredAt: afterLoss.toISOString(), amountFen: 700, method: 'qr', token: phone.code({ at: afterLoss }) },
      ],
    });
    expect(upload.body.results.map((r: { outcome: string; reason?: string }) => [r.outcome, r.reason ?? null])).toEqual([
      ['applied', null],
      ['held', 'card_lost'],
    ]);
    expect((await account(qr.accountNo)).balanceFen).toBe(4_800);
  });

  it('a CPU card tap must send the chip balance and counter; the answer tells the terminal to write QR spending made since the last tap', async () => {
    const cpu = await withCard(10_000, 'cpu');
    const terminal = await createTestTerminal(platform.deps);
    const incomplete = await terminalFetch(platform.url, terminal, 'POST', CHARGE, { posTxnId: 'cpu-0', chipUid: cpu.chipUid, amountFen: 100 });
    expect(incomplete.body.code).toBe('CHIP_READ_REQUIRED');
    const first = await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'cpu-1', chipUid: cpu.chipUid, chipBalanceFen: 10_000, cardTxnCounter: 3, amountFen: 1_000 });
    expect(first).toMatchObject({ balanceFen: 9_000, chipBalanceToWriteFen: 9_000 });
    // Spending that never touches the chip (a utility payment): the chip still holds 90 yuan.
    await chargeFee(platform.deps, { accountNo: cpu.accountNo, amountFen: 2_500, feeId: `net-${cpu.accountNo}`, reason: 'network fee', channel: 'counter' });
    const second = await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'cpu-2', chipUid: cpu.chipUid, chipBalanceFen: 9_000, cardTxnCounter: 3, amountFen: 500 });
    expect(second).toMatchObject({ balanceFen: 6_000, chipBalanceToWriteFen: 6_000 });
    expect((await account(cpu.accountNo)).status).toBe('active'); // 25 yuan explained: no freeze
    await expectAuditClean(cpu.accountNo);
  });

  it('an unexplained card/database difference over 50 yuan freezes at the tap (CARD_FROZEN), and nothing is charged', async () => {
    const cpu = await withCard(20_000, 'cpu');
    const terminal = await createTestTerminal(platform.deps);
    await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'f-1', chipUid: cpu.chipUid, chipBalanceFen: 20_000, cardTxnCounter: 1, amountFen: 1_000 });
    // The chip should hold 190 yuan; it shows 130: 60 yuan of card spending nobody has uploaded.
    const res = await terminalFetch(platform.url, terminal, 'POST', CHARGE, { posTxnId: 'f-2', chipUid: cpu.chipUid, chipBalanceFen: 13_000, cardTxnCounter: 1, amountFen: 100 });
    expect(res.body.code).toBe('CARD_FROZEN');
    expect(await account(cpu.accountNo)).toMatchObject({ status: 'frozen', balanceFen: 19_000 });
  });

  it('a card load is refused for a void card, and for a lost one', async () => {
    const old = await withCard(10_000, 'cpu');
    const terminal = await createTestTerminal(platform.deps);
    await replaceCard(platform.deps, { accountNo: old.accountNo, idempotencyKey: `replacement#t#${old.accountNo}`, externalRef: 'r1', operator: 'staff', newChipUid: newChip(), newKind: 'cpu', handedOver: 'counter' });
    const res = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/card-loads', { chipUid: old.chipUid, cardTxnCounter: 1, chipBalanceFen: 10_000 });
    expect(res.body.code).toBe('CARD_VOID');
  });
});

describe('6. levelling', () => {
  it('by the card centre: the chip becomes the basis; a late upload of a payment already reflected is never deducted twice', async () => {
    const cpu = await withCard(20_000, 'cpu');
    const terminal = await createTestTerminal(platform.deps);
    const t0 = Date.now();
    await chargeAtTerminal(at(new Date(t0 - 10 * 86_400_000).toISOString()), terminal, { posTxnId: 'l-1', chipUid: cpu.chipUid, chipBalanceFen: 20_000, cardTxnCounter: 1, amountFen: 1_000 });
    // Offline 8 days ago at a terminal that never came back: 30 yuan off the chip (190 → 160).
    const offlineAt = new Date(t0 - 8 * 86_400_000).toISOString();
    const staff = { username: 'op1', role: 'operator' as const };
    const levelled = await levelByCardCentre(platform.deps, staff, cpu.accountNo, { levellingId: `lv-${cpu.accountNo}`, chipBalanceFen: 16_000, reason: 'terminal offline for 8 days' });
    expect(levelled).toMatchObject({ direction: 'debit', amountFen: 3_000, balanceFen: 16_000 });
    const late = await uploadOfflineRecords(platform.deps, terminal, [
      { recordId: 'late-1', occurredAt: offlineAt, amountFen: 3_000, method: 'card', chipUid: cpu.chipUid, chipBalanceAfterFen: 16_000 },
    ]);
    expect(late[0]).toMatchObject({ outcome: 'reflected' });
    expect(await account(cpu.accountNo)).toMatchObject({ balanceFen: 16_000, status: 'active' });
    // Uploaded again: the same answer, still once.
    expect((await uploadOfflineRecords(platform.deps, terminal, [{ recordId: 'late-1', occurredAt: offlineAt, amountFen: 3_000, method: 'card', chipUid: cpu.chipUid, chipBalanceAfterFen: 16_000 }]))[0]).toMatchObject({ outcome: 'reflected', replayed: true });
    await expectAuditClean(cpu.accountNo);
  });

  it('automatically, at the next online tap, when card spending has waited more than 5 days', async () => {
    const cpu = await withCard(20_000, 'cpu');
    const terminal = await createTestTerminal(platform.deps);
    const day = (d: number) => new Date(Date.UTC(2026, 10, 1 + d, 4)).toISOString();
    await chargeAtTerminal(at(day(0)), terminal, { posTxnId: 'a-1', chipUid: cpu.chipUid, chipBalanceFen: 20_000, cardTxnCounter: 1, amountFen: 1_000 });
    // Day 1: the chip shows 20 yuan less than it should (an offline payment not uploaded yet): noted, not frozen.
    await chargeAtTerminal(at(day(1)), terminal, { posTxnId: 'a-2', chipUid: cpu.chipUid, chipBalanceFen: 17_000, cardTxnCounter: 1, amountFen: 500 });
    expect(await account(cpu.accountNo)).toMatchObject({ balanceFen: 18_500, chipGapFen: 2_000, status: 'active' });
    // Day 7: still nothing uploaded: levelled to the card first, then charged.
    const paid = await chargeAtTerminal(at(day(7)), terminal, { posTxnId: 'a-3', chipUid: cpu.chipUid, chipBalanceFen: 16_500, cardTxnCounter: 1, amountFen: 500 });
    expect(paid).toMatchObject({ balanceFen: 16_000, chipBalanceToWriteFen: 16_000 });
    expect((await ledgerOf(platform.deps, cpu.accountNo)).filter((e) => e.type === 'levelling')).toEqual([expect.objectContaining({ amountFen: 2_000 })]);
    // The missing record arrives on day 8: already reflected.
    const late = await uploadOfflineRecords(at(day(8)), terminal, [{ recordId: 'gap-1', occurredAt: day(0.5), amountFen: 2_000, method: 'card', chipUid: cpu.chipUid, chipBalanceAfterFen: 17_000 }]);
    expect(late[0]).toMatchObject({ outcome: 'reflected' });
    expect((await account(cpu.accountNo)).balanceFen).toBe(16_000);
    await expectAuditClean(cpu.accountNo);
  });
});

describe('6. levelling through the card-centre API', () => {
  const staff = { username: `lv.${process.pid}`, password: 'levelling pass 2026', role: 'operator' as const };
  const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const res = await fetch(platform.url + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json()) as any };
  };

  it('levels once per levellingId, audited; bad input and an account without a card change nothing', async () => {
    await createStaffMember(platform.deps, staff);
    const token = (await call('POST', '/v1/admin/sessions', undefined, { username: staff.username, password: staff.password })).body.token as string;
    const cpu = await withCard(10_000, 'cpu');
    const path = `/v1/admin/accounts/${cpu.accountNo}/levellings`;
    for (const bad of [{ levellingId: 'lv-1', chipBalanceFen: -1, reason: 'r' }, { levellingId: 'lv-1', chipBalanceFen: 1.5, reason: 'r' }, { levellingId: 'lv-1', chipBalanceFen: 100 }, { levellingId: 'a#b', chipBalanceFen: 100, reason: 'reconciled against the records' }]) {
      const res = await call('POST', path, token, bad);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await call('POST', path, undefined, { levellingId: 'lv-1', chipBalanceFen: 9_000, reason: 'reconciled against the records' })).status).toBe(401);
    expect((await account(cpu.accountNo)).balanceFen).toBe(10_000);
    const plain = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    expect((await call('POST', `/v1/admin/accounts/${plain.accountNo}/levellings`, token, { levellingId: 'lv-0', chipBalanceFen: 500, reason: 'reconciled against the records' })).body.code).toBe('NO_PHYSICAL_CARD');

    const first = await call('POST', path, token, { levellingId: 'lv-1', chipBalanceFen: 9_000, reason: 'reconciled against the offline records' });
    expect(first.status).toBe(200);
    // A card never tapped online has no basis: the card centre's reading is believed only for what it explains (nothing here).
    expect(first.body).toMatchObject({ direction: 'none', amountFen: 0, balanceFen: 10_000, replayed: false });
    const again = await call('POST', path, token, { levellingId: 'lv-1', chipBalanceFen: 9_000, reason: 'reconciled against the offline records' });
    expect(again.body).toMatchObject({ receiptNo: first.body.receiptNo, replayed: true });
    const log = await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 });
    expect(log.entries.filter((e) => e.action === 'account.level' && e.target === `account:${cpu.accountNo}`)).toHaveLength(1);
    await expectAuditClean(cpu.accountNo);
  });
});

describe('8. closing holds back what offline terminals may still upload', () => {
  it('a payment made before the closing and uploaded after it is charged to the holdback; the rest is refunded after the bundles expire', async () => {
    const holder = await withCard(10_000, 'm1');
    const terminal = await createTestTerminal(platform.deps);
    const paidAt = new Date(Date.now() - 30 * 60_000).toISOString();
    const now = Date.now();
    const closing = await closeAccountWithRefund(platform.deps, { accountNo: holder.accountNo, cancellationId: `close-${holder.accountNo}`, destination: 'cash', reason: 'graduated', operator: 'op', at: new Date(now) });
    // An M1 card can spend its whole chip offline: all of it is held back.
    expect(closing.entry).toMatchObject({ type: 'cancellation_refund', amountFen: 0, after: { balanceFen: 10_000 } });
    expect((await listCards(platform.deps.db, holder.accountNo))[0]!.status).toBe('cancelled');
    const upload = await uploadOfflineRecords(platform.deps, terminal, [
      { recordId: 'pre-close', occurredAt: paidAt, amountFen: 1_200, method: 'card', chipUid: holder.chipUid, chipBalanceAfterFen: 8_800 },
      { recordId: 'post-close', occurredAt: new Date(now + 60_000).toISOString(), amountFen: 500, method: 'card', chipUid: holder.chipUid, chipBalanceAfterFen: 8_300 },
    ]);
    expect(upload.map((r) => [r.outcome, 'reason' in r ? r.reason : null])).toEqual([
      ['applied', null],
      ['held', 'card_void'],
    ]);
    // Not yet due: nothing settled.
    expect((await settleClosedAccounts(platform.deps)).failures).toEqual([]);
    expect((await account(holder.accountNo)).balanceFen).toBe(8_800);
    // A day later the bundles from before the closing have expired: the rest goes to the holder.
    const later = at(new Date(now + 25 * 3_600_000).toISOString());
    const report = await settleClosedAccounts(later);
    expect(report.failures).toEqual([]);
    expect(report.settled).toBeGreaterThanOrEqual(1);
    expect(await account(holder.accountNo)).toMatchObject({ balanceFen: 0, status: 'cancelled' });
    const settlement = (await ledgerOf(platform.deps, holder.accountNo)).filter((e) => e.type === 'closing_settlement');
    expect(settlement).toEqual([expect.objectContaining({ amountFen: 8_800, destination: 'cash' })]);
    // Settled once, however often the schedule runs; later uploads are held for the card centre.
    await settleClosedAccounts(later);
    expect((await ledgerOf(platform.deps, holder.accountNo)).filter((e) => e.type === 'closing_settlement')).toHaveLength(1);
    const afterSettlement = await uploadOfflineRecords(at(new Date(now + 26 * 3_600_000).toISOString()), terminal, [
      { recordId: 'very-late', occurredAt: new Date(now - 20 * 60_000).toISOString(), amountFen: 300, method: 'card', chipUid: holder.chipUid, chipBalanceAfterFen: 8_500 },
    ]);
    expect(afterSettlement[0]).toMatchObject({ outcome: 'held', reason: 'account_cancelled' });
    await expectAuditClean(holder.accountNo);
  });

  it('an account with nothing an offline terminal could take is refunded in full at once', async () => {
    const plain = await createTestAccount(platform.deps, { balanceFen: 4_000 });
    const closing = await closeAccountWithRefund(platform.deps, { accountNo: plain.accountNo, cancellationId: `close-${plain.accountNo}`, destination: 'cash', reason: 'left', operator: 'op', at: new Date() });
    expect(closing.entry).toMatchObject({ amountFen: 4_000, after: { balanceFen: 0 } });
    const { Item } = await platform.deps.db.doc.send(new GetCommand({ TableName: platform.deps.db.tableName, Key: keys.holdback(plain.accountNo) }));
    expect(Item).toBeUndefined();
  });
});

describe('9. a card replaced today is refused at the library, clinic and bus for every use', () => {
  it('card payment and QR payment at the library are refused the day of the replacement; the canteen takes them', async () => {
    const holder = await withCard(10_000, 'm1');
    const newChipUid = newChip();
    await replaceCard(platform.deps, { accountNo: holder.accountNo, idempotencyKey: `replacement#t#${holder.accountNo}`, externalRef: 'r1', operator: 'staff', newChipUid, newKind: 'm1', handedOver: 'counter' });
    const library = await placeTerminal('library');
    const canteen = await placeTerminal('canteen');
    const atLibrary = await terminalFetch(platform.url, library, 'POST', CHARGE, { posTxnId: 'lib-1', chipUid: newChipUid, amountFen: 200 });
    expect(atLibrary.body.code).toBe('CARD_REPLACED_TODAY');
    const phone = await bindPhone(platform.url, holder.accountNo);
    const qrAtLibrary = await terminalFetch(platform.url, library, 'POST', '/v1/pos/qr-payments', { posTxnId: 'lib-2', token: phone.code(), amountFen: 200 });
    expect(qrAtLibrary.body.code).toBe('CARD_REPLACED_TODAY');
    expect((await terminalFetch(platform.url, canteen, 'POST', CHARGE, { posTxnId: 'can-1', chipUid: newChipUid, amountFen: 200 })).status).toBe(200);
    // Tomorrow the library takes it.
    const tomorrow = at(new Date(Date.now() + 86_400_000).toISOString());
    expect((await chargeAtTerminal(tomorrow, library, { posTxnId: 'lib-3', chipUid: newChipUid, amountFen: 200 })).amountFen).toBe(200);
    expect(campusDay(new Date())).not.toBe(campusDay(new Date(Date.now() + 86_400_000)));
  });
});

describe('10. a code paid online is remembered as long as an offline use of it could be uploaded', () => {
  it('the used-code record outlives the offline upload window, and the offline copy of an online-paid code is held', async () => {
    const holder = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const phone = await bindPhone(platform.url, holder.accountNo);
    const terminal = await createTestTerminal(platform.deps);
    const token = phone.code();
    const paid = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/qr-payments', { posTxnId: 'on-1', token, amountFen: 300 });
    expect(paid.status).toBe(200);
    const other = await createTestTerminal(platform.deps);
    const upload = await terminalFetch(platform.url, other, 'POST', UPLOAD, { records: [{ recordId: 'off-1', occurredAt: new Date().toISOString(), amountFen: 300, method: 'qr', token }] });
    expect(upload.body.results[0]).toMatchObject({ outcome: 'held', reason: 'token_reused' });
    expect((await account(holder.accountNo)).balanceFen).toBe(4_700);
    // DynamoDB's TTL may delete it only after every offline copy could have been uploaded (30 days + a bundle).
    const { Item } = await platform.deps.db.doc.send(new GetCommand({ TableName: platform.deps.db.tableName, Key: keys.usedQrToken(tokenIdOf(token)) }));
    expect(Item?.['expiresAt']).toBeGreaterThan(Date.now() / 1000 + 30 * 86_400 + 24 * 3_600);
    expect(USED_PAY_TOKEN_KEEP_SECONDS).toBeGreaterThan(30 * 86_400 + 24 * 3_600);
  });
});

async function setLost(accountNo: string, cardId: string, chipUid: string) {
  const { changeAccountStatus } = await import('../../functions/store/accounts');
  expect(await changeAccountStatus(platform.deps.db, await account(accountNo), 'lost', { cardId, chipUid, status: 'lost' }, new Date().toISOString())).toBe(true);
}
