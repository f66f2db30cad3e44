import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { issueHolderSession, verifyHolderSession } from '../../functions/auth/holder-session';
import { AppError } from '../../functions/app-error';
import type { Account } from '../../functions/domain/account';
import { auditAccount } from '../../functions/domain/audit';
import type { LedgerEntry } from '../../functions/domain/ledger';
import { monthlyStatement } from '../../functions/services/holder-views';
import { campusDayStartMs, ledgerKeyRange } from '../../functions/store/ledger';
import { nextEntryId } from '../../functions/store/movements';

const account = { accountNo: '10001', balanceFen: 700, transitionalFen: 0, smallWalletFen: 0 } as Account;
function entry(entryId: string, type: LedgerEntry['type'], balanceDelta: number, balanceAfter: number, amountFen = Math.abs(balanceDelta)): LedgerEntry {
  return {
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
  };
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
