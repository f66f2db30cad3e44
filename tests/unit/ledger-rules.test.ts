import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { issueHolderSession, verifyHolderSession } from '../../functions/auth/holder-session';
import { AppError } from '../../functions/app-error';
import type { Account } from '../../functions/domain/account';
import {
  auditAccount,
  auditBankTransfer,
  auditHoldback,
  auditOfflineCharge,
  auditOrder,
  auditPending,
  auditQrTokens,
  entryKindProblem,
  ExternalIdRegister,
  externalIdOf,
  qrPaymentKey,
} from '../../functions/domain/audit';
import type { LedgerEntry } from '../../functions/domain/ledger';
import { monthlyStatement } from '../../functions/services/holder-views';
import { campusDayStartMs, ledgerKeyRange } from '../../functions/store/ledger';
import { nextEntryId } from '../../functions/store/movements';
import { withTransfers } from '../helpers/ledger-entries';

const account = { accountNo: '10001', balanceFen: 700, transitionalFen: 0, smallWalletFen: 0 } as Account;
function entry(entryId: string, type: LedgerEntry['type'], balanceDelta: number, balanceAfter: number, amountFen = Math.abs(balanceDelta)): LedgerEntry {
  return withTransfers({
    entryId,
    receiptNo: entryId,
    accountNo: '10001',
    type,
    amountFen,
    delta: { balanceFen: balanceDelta, transitionalFen: 0, smallWalletFen: 0 },
    after: { balanceFen: balanceAfter, transitionalFen: 0, smallWalletFen: 0 },
    channel: 'pos',
    externalRef: entryId,
    createdAt: '2026-11-01T00:00:00.000Z',
    campusDay: '2026-11-01',
  });
}

describe('the audit rule', () => {
  it('accepts a ledger whose running sums match every entry and the account', () => {
    expect(auditAccount(account, [entry('A', 'topup', 1_000, 1_000), entry('B', 'purchase', -300, 700)])).toEqual([]);
  });
  it('names a wrong balance after, a negative running balance and an unexplained account balance', () => {
    const problems = auditAccount({ ...account, balanceFen: 800 }, [entry('A', 'topup', 1_000, 1_000), entry('B', 'purchase', -1_200, 0), entry('C', 'topup', 900, 700)]);
    expect(problems.map((p) => p.problem)).toEqual([
      'entry B (purchase): balanceFen after is 0, the ledger before it sums to -200',
      'entry B (purchase): balanceFen goes negative (-200)',
      'balanceFen is 800, its ledger sums to 700 (difference 100)',
    ]);
  });

  it('names an entry whose change is not the one its kind makes', () => {
    const withDelta = (e: LedgerEntry, delta: LedgerEntry['delta'], after = delta): LedgerEntry => ({ ...e, delta, after });
    const p = (balanceFen: number, transitionalFen = 0, smallWalletFen = 0) => ({ balanceFen, transitionalFen, smallWalletFen });
    // A purchase that adds money, a top-up of the wrong size, and a zero-fen fee.
    const bad = [
      withDelta(entry('A', 'purchase', 0, 0, 300), p(300)),
      withDelta(entry('B', 'topup', 0, 0, 500), p(400), p(700)),
      withDelta(entry('C', 'fee', 0, 0, 0), p(0), p(700)),
    ];
    expect(auditAccount(account, bad).filter((f) => f.check === 'kind').map((f) => f.problem)).toEqual([
      'entry A (purchase): changes balance +300, transitional 0, small wallet 0, a purchase of 300 changes balance -300, transitional 0, small wallet 0',
      'entry B (topup): changes balance +400, transitional 0, small wallet 0, a topup of 500 changes balance +500, transitional 0, small wallet 0',
      'entry C (fee): amount is 0, which this movement may not be',
    ]);
  });

  it('accepts every kind making its own change', () => {
    const p = (balanceFen: number, transitionalFen = 0, smallWalletFen = 0) => ({ balanceFen, transitionalFen, smallWalletFen });
    const ok: [LedgerEntry['type'], number, ReturnType<typeof p>, Partial<LedgerEntry>?][] = [
      ['purchase', 300, p(-300)],
      ['topup', 300, p(300)],
      ['refund', 300, p(300)],
      ['transitional_credit', 300, p(0, 300)],
      ['card_load', 300, p(300, -300)],
      ['transitional_release', 300, p(300, -300)],
      ['fee', 2_000, p(-2_000)],
      ['fee', 2_000, p(-500, -1_500), { releasedTransitionalFen: 1_500 }],
      ['adjustment', 300, p(-300)],
      ['adjustment', 300, p(300)],
      ['levelling', 0, p(0)],
      ['levelling', 120, p(-120)],
      ['small_wallet_preload', 500, p(-500, 0, 500)],
      ['small_wallet_settle', 200, p(300, 0, -500)],
      ['cancellation_refund', 0, p(0)],
      ['cancellation_refund', 900, p(-400, -300, -200)],
      ['closing_settlement', 400, p(-400)],
    ];
    for (const [type, amountFen, delta, extra] of ok) expect(entryKindProblem({ type, amountFen, delta, ...extra }), `${type} ${JSON.stringify(delta)}`).toBeUndefined();
    expect(entryKindProblem({ type: 'small_wallet_settle', amountFen: 200, delta: p(500, 0, -500) })).toContain('takes 200 out of the small wallet');
    expect(entryKindProblem({ type: 'closing_settlement', amountFen: 400, delta: p(400) })).toContain('only takes money out');
    expect(entryKindProblem({ type: 'levelling', amountFen: 100, delta: p(-100, -100) })).toContain('balance by ±100 only');
    expect(entryKindProblem({ type: 'card_load', amountFen: 300, delta: p(300) })).toBeDefined();
  });

  it('never lets the small wallet hold more than its cap', () => {
    const preload = (id: string, fen: number, after: number): LedgerEntry =>
      withTransfers({
        ...entry(id, 'small_wallet_preload', -fen, 10_000 - after),
        delta: { balanceFen: -fen, transitionalFen: 0, smallWalletFen: fen },
        after: { balanceFen: 10_000 - after, transitionalFen: 0, smallWalletFen: after },
      });
    const problems = auditAccount({ ...account, balanceFen: 8_000, smallWalletFen: 2_000 }, [entry('A', 'topup', 10_000, 10_000), preload('B', 1_000, 1_000), preload('C', 1_000, 2_000)]);
    expect(problems.map((p) => p.problem)).toEqual(['entry C (small_wallet_preload): the small wallet holds 2000, above its cap of 1000']);
  });

  it('never lets refunds exceed the purchase they refund, nor refund what this account did not buy', () => {
    const refund = (id: string, of: string, fen: number, after: number): LedgerEntry => ({ ...entry(id, 'refund', fen, after), refundOf: of });
    const problems = auditAccount({ ...account, balanceFen: 1_300 }, [
      entry('A', 'topup', 1_000, 1_000),
      entry('B', 'purchase', -500, 500),
      refund('C', 'B', 300, 800),
      refund('D', 'B', 300, 1_100),
      refund('E', 'ZZ', 200, 1_300),
    ]);
    expect(problems.map((p) => p.problem)).toEqual([
      'entry D (refund): refunds 600 in all of purchase B, which was 500',
      'entry E (refund): refunds ZZ, which is no earlier purchase of this account',
    ]);
  });
});

describe('the audit across the table', () => {
  const now = new Date('2026-11-23T04:00:00Z');
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();

  it('an external id moves money once, whatever idempotency key carried it', () => {
    const register = new ExternalIdRegister();
    const credit = (id: string, accountNo: string, ref: string, channel: LedgerEntry['channel'] = 'wechat'): LedgerEntry => ({ ...entry(id, 'topup', 500, 500), accountNo, channel, externalRef: ref });
    expect(register.note(credit('A', '10001', 'wx-1'))).toBeUndefined();
    expect(register.note(credit('B', '10001', 'wx-2'))).toBeUndefined();
    expect(register.note(credit('C', '10001', 'wx-1', 'alipay'))).toBeUndefined(); // another platform's id space
    expect(register.note(credit('D', '10002', 'wx-1'))?.problem).toBe('wechat transaction wx-1 moved money twice: entry 10002/D (topup) and entry 10001/A');
    const offline = (id: string): LedgerEntry => ({ ...entry(id, 'purchase', -100, 0), channel: 'offline_pos', terminalId: 'T1', externalRef: 'r-9' });
    expect(register.note(offline('E'))).toBeUndefined();
    expect(register.note(offline('F'))?.problem).toContain('offline record T1/r-9 moved money twice');
    expect(externalIdOf({ ...entry('G', 'topup', 1, 1), channel: 'counter' })).toBeUndefined();
  });

  it('an offline charge: once, not on a card lost or void then, not a levelled card’s old record', () => {
    const purchase: LedgerEntry = { ...entry('E1', 'purchase', -100, 600), channel: 'offline_pos', terminalId: 'T1', externalRef: 'r1', createdAt: '2026-11-20T10:00:00.000Z' };
    const card = { cardId: 'C1', accountNo: '10001', kind: 'm1' as const, status: 'replaced' as const, issuedAt: '2026-01-01T00:00:00.000Z', issuedOn: '2026-01-01', statusLog: [{ status: 'lost' as const, at: '2026-11-10T00:00:00.000Z' }, { status: 'replaced' as const, at: '2026-11-11T00:00:00.000Z' }] };
    const record = (occurredAt: string, receiptNo = 'E1') => ({ terminalId: 'T1', recordId: 'r1', occurredAt, result: { outcome: 'applied', receiptNo }, cardId: 'C1' });
    expect(auditOfflineCharge(account, [card], purchase, record('2026-11-09T00:00:00.000Z'))).toEqual([]);
    expect(auditOfflineCharge(account, [card], purchase, record('2026-11-10T12:00:00.000Z')).map((f) => [f.check, f.problem])).toEqual([
      ['card', 'entry E1 (offline purchase of record T1/r1): made at 2026-11-10T12:00:00.000Z with card C1, which was lost then'],
    ]);
    expect(auditOfflineCharge(account, [card], purchase, record('2026-11-12T00:00:00.000Z'))[0]!.problem).toContain('which was replaced then');
    expect(auditOfflineCharge(account, [card], purchase, record('2026-11-09T00:00:00.000Z', 'OTHER'))[0]!.check).toBe('external_id');
    expect(auditOfflineCharge(account, [card], purchase, undefined)[0]!.problem).toContain('no stored offline record names it');
    const levelled = { ...account, levelledAt: '2026-11-15T00:00:00.000Z', levelledCardId: 'C1' };
    const active = { ...card, status: 'active' as const, statusLog: [] };
    expect(auditOfflineCharge(levelled, [active], purchase, record('2026-11-14T00:00:00.000Z')).map((f) => f.check)).toEqual(['levelling']);
    expect(auditOfflineCharge(levelled, [active], purchase, record('2026-11-16T00:00:00.000Z'))).toEqual([]);
  });

  it('a QR payment’s token stays in the used-token register: a lost or overwritten record is a token that could pay, or paid, twice', () => {
    const payments = [
      { accountNo: '10001', entryId: 'E1', key: 'pos#T1#p1' },
      { accountNo: '10001', entryId: 'E2', key: 'offline#T2#r1', tokenId: 'k.1.0' },
      { accountNo: '10001', entryId: 'E3', key: 'offline#T2#r2', tokenId: 'k.1.0' },
    ];
    const findings = auditQrTokens(payments, [{ tokenId: 'k.1.0', usedFor: 'offline#T2#r1' }]);
    expect(findings.map((f) => f.problem)).toEqual([
      'entry E1 (QR payment pos#T1#p1): its token is not in the used-token register: it could pay again',
      'entry E3 (QR payment offline#T2#r2): its token is not in the used-token register (token k.1.0 is recorded as spent by offline#T2#r1): the token paid twice',
      'QR token k.1.0 paid 2 times: entries 10001/E2, 10001/E3',
    ]);
    expect(auditQrTokens(payments.slice(0, 1), [{ tokenId: 'k.2.0', usedFor: 'pos#T1#p1' }])).toEqual([]);
    expect(qrPaymentKey({ channel: 'qr', terminalId: 'T1', externalRef: 'p1' })).toBe('pos#T1#p1');
    expect(qrPaymentKey({ channel: 'offline_pos', terminalId: 'T1', externalRef: 'r1' })).toBeUndefined(); // a card record
  });

  it('pending things: resolved, or within their timeouts', () => {
    const transfer = { debit: 'clearing:wechat', credit: 'holder:10001:balance', amountFen: 5_000 } as const;
    const pending = { pendingId: 'P1', pendingKind: 'topup_order' as const, state: 'pending' as const, transfer, accountNo: '10001', createdAt: minutesAgo(60), timeoutAt: minutesAgo(45) };
    // Every kind by the same rule: pending past its timeout and the resolver's grace is a finding; resolved never is.
    expect(auditPending(pending, 'P1', now)[0]!.problem).toMatch(/^pending topup_order P1 \(5000 fen, clearing:wechat → holder:10001:balance\) since .*, past its timeout .* by more than 15 minutes: neither posted, voided nor expired$/);
    expect(auditPending({ ...pending, timeoutAt: minutesAgo(5) }, 'P1', now)).toEqual([]);
    expect(auditPending({ ...pending, state: 'posted' }, 'P1', now)).toEqual([]);
    expect(auditPending({ ...pending, state: 'expired' }, 'P1', now)).toEqual([]);
    // A card load waits for the card's next tap: reported only a day past its reservation.
    expect(auditPending({ ...pending, pendingKind: 'card_load', timeoutAt: minutesAgo(30) }, 'L1', now)).toEqual([]);
    expect(auditPending({ ...pending, pendingKind: 'card_load', timeoutAt: minutesAgo(2_999) }, 'L1', now)).toHaveLength(1);

    const order = { orderId: 'O1', accountNo: '10001', channel: 'wechat' as const, amountFen: 5_000, purse: 'balance' as const, payerId: 'x', createdAt: minutesAgo(60), payBy: minutesAgo(45), pendingKind: 'topup_order' as const, transfer, timeoutAt: minutesAgo(45) };
    const none = () => false;
    expect(auditOrder({ ...order, status: 'pending', state: 'pending' }, now, none)).toEqual([]);
    expect(auditOrder({ ...order, status: 'closed', state: 'expired' }, now, none)).toEqual([]);
    expect(auditOrder({ ...order, status: 'closed', state: 'pending' }, now, none)[0]!.problem).toContain('is closed but its pending transfer is pending');
    expect(auditOrder({ ...order, status: 'paid', state: 'posted', platformTxnId: 'wx-1' }, now, none)[0]!.problem).toContain('paid (wechat transaction wx-1) but neither credited nor refunded');
    expect(auditOrder({ ...order, status: 'paid', state: 'posted', platformTxnId: 'wx-1' }, now, (id) => id === 'wechat transaction wx-1')).toEqual([]);
    const refund = { refundId: 'RO1', amountFen: 5_000, reason: 'CARD_CANCELLED' as const };
    expect(auditOrder({ ...order, status: 'refund_pending', state: 'voided', refund: { ...refund, requestedAt: minutesAgo(60) } }, now, none)).toEqual([]);
    expect(auditOrder({ ...order, status: 'refund_pending', state: 'voided', refund: { ...refund, requestedAt: minutesAgo(3 * 24 * 60) } }, now, none)[0]!.problem).toContain('still not answered');

    const bank = { debit: 'clearing:bank', credit: 'holder:10001:balance', amountFen: 10_000 } as const;
    const intent = { terminalId: 'K1', transferId: 't1', bankTransferId: 'b', fingerprint: 'f', accountNo: '10001', chipUid: 'u', bankCardNo: 'c', amountFen: 10_000, purse: 'balance' as const, createdAt: minutesAgo(60), updatedAt: minutesAgo(60), pendingKind: 'bank_transfer' as const, transfer: bank, timeoutAt: minutesAgo(50) };
    expect(auditBankTransfer({ ...intent, status: 'pending', state: 'pending' }, now, none)).toEqual([]);
    expect(auditBankTransfer({ ...intent, status: 'reversing', state: 'voided' }, now, none)[0]!.problem).toContain('the bank debit has no credit and no reversal');
    expect(auditBankTransfer({ ...intent, status: 'reversing', state: 'voided', updatedAt: minutesAgo(2) }, now, none)).toEqual([]);
    expect(auditBankTransfer({ ...intent, status: 'reversed', state: 'voided' }, now, none)).toEqual([]);
    expect(auditBankTransfer({ ...intent, status: 'credited', state: 'pending' }, now, none)[0]!.problem).toContain('is credited but its pending transfer is pending');
    expect(auditBankTransfer({ ...intent, status: 'credited', state: 'posted', bankTxnId: 'B9' }, now, none)[0]!.problem).toContain('no ledger entry credits it');
    expect(auditBankTransfer({ ...intent, status: 'credited', state: 'posted', bankTxnId: 'B9' }, now, (id) => id === 'bank transaction B9')).toEqual([]);

    expect(auditHoldback({ accountNo: '10001', heldBackFen: 300, holdbackUntil: minutesAgo(60) }, now)).toEqual([]);
    expect(auditHoldback({ accountNo: '10001', heldBackFen: 300, holdbackUntil: minutesAgo(180) }, now)[0]!.problem).toContain('still not settled');
  });
});

describe('monthly statements', () => {
  it('spending is purchases, fees and water net of refunds; top-ups include transitional credits', () => {
    const statement = monthlyStatement('2026-11', [
      entry('A', 'topup', 5_000, 5_000),
      entry('B', 'transitional_credit', 0, 5_000, 2_000),
      entry('C', 'purchase', -1_000, 4_000),
      entry('D', 'refund', 400, 4_400),
      entry('E', 'fee', -2_000, 2_400),
      entry('F', 'small_wallet_settle', 300, 2_700, 700),
    ]);
    expect(statement).toMatchObject({ spendingFen: 1_000 + 2_000 + 700 - 400, topupFen: 7_000, refundFen: 400, count: 6 });
  });
});

describe('ledger ids and ranges', () => {
  it('a new entry id is always after the account’s last one, even when the clock is behind', () => {
    const now = new Date('2026-11-23T04:00:00Z');
    const later = nextEntryId(new Date('2026-11-23T05:00:00Z'), undefined);
    const next = nextEntryId(now, later);
    expect(next > later).toBe(true);
    expect(nextEntryId(new Date('2026-11-23T06:00:00Z'), later) > later).toBe(true);
    expect(decodeTime(nextEntryId(now, undefined))).toBe(now.getTime());
  });

  it('campus days start at 16:00 UTC the day before', () => {
    expect(new Date(campusDayStartMs('2026-11-02')).toISOString()).toBe('2026-11-01T16:00:00.000Z');
    const { low, high } = ledgerKeyRange('2026-11-02', '2026-11-02');
    const idAt = (iso: string) => `LEDGER#${nextEntryId(new Date(iso), undefined)}`;
    expect(idAt('2026-11-01T16:00:00.000Z') >= low).toBe(true);
    expect(idAt('2026-11-01T15:59:59.999Z') < low).toBe(true);
    expect(idAt('2026-11-02T15:59:59.999Z') <= high).toBe(true);
    expect(idAt('2026-11-02T16:00:00.000Z') > high).toBe(true);
  });
});

describe('holder session tokens', () => {
  const secret = 'a-session-secret-of-at-least-32-characters';
  const now = new Date('2026-11-23T04:00:00Z');
  const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'OK', (e: AppError) => e.code);

  it('verify to their account within two hours, and not after', async () => {
    const token = await issueHolderSession(secret, '10001', now);
    expect((await verifyHolderSession(secret, token, new Date(now.getTime() + 7_199_000))).accountNo).toBe('10001');
    expect(await codeOf(verifyHolderSession(secret, token, new Date(now.getTime() + 7_201_000)))).toBe('SESSION_EXPIRED');
  });

  it('do not verify with another key, or when tampered', async () => {
    const token = await issueHolderSession(secret, '10001', now);
    expect(await codeOf(verifyHolderSession('another-secret-of-at-least-32-characters!', token, now))).toBe('UNAUTHENTICATED');
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: '10002', aud: 'holder', iss: 'campus-ecard', iat: 1, exp: 4_102_444_800 })).toString('base64url');
    expect(await codeOf(verifyHolderSession(secret, `${header}.${forged}.${signature}`, now))).toBe('UNAUTHENTICATED');
  });
});
