/**
 * Money waiting for a CPU card always has a way to the account (issue 11, item 7): a replacement by
 * a card that is not a CPU card releases the transitional balance in the same transaction, and a
 * payment that arrives once there is no CPU card any more goes straight to the balance.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { auditAccount } from '../../functions/domain/audit';
import { hashPassword } from '../../functions/domain/passwords';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { creditTransitional } from '../../functions/services/movements';
import { getAccount } from '../../functions/store/accounts';
import { issueCard, listCards } from '../../functions/store/cards';
import { savePasswordRecord } from '../../functions/store/passwords';
import { createTestAccount, createTestTerminal, ledgerOf, terminalFetch } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/store/keys';
import { useFake } from '../helpers/fakes';

let wechat: FakeWechatPay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
const platform = useTestPlatform({ http: true });
const FAST = { N: 1024, r: 8, p: 1, keyLength: 32 };
let seq = 0;
const chip = () => `0E${String(++seq).padStart(10, '0')}`;

/** A CPU-card holder with `transitionalFen` topped up online and not yet written to the chip. */
async function cpuHolder(balanceFen: number, transitionalFen: number) {
  const account = await createTestAccount(platform.deps, { balanceFen });
  await savePasswordRecord(platform.deps.db, account.accountNo, 'query', await hashPassword('112233', { now: new Date(), isDefault: false, params: FAST }), undefined);
  const chipUid = chip();
  await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: 'cpu', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: '2026-09-01' });
  if (transitionalFen) await creditTransitional(platform.deps, { accountNo: account.accountNo, amountFen: transitionalFen, channel: 'wechat', externalRef: `wx-${account.accountNo}` });
  return account.accountNo;
}

async function replaceAtKiosk(accountNo: string, newKind: 'cpu' | 'm1') {
  const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
  return terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/card-replacements', { replacementId: `r-${++seq}`, accountNo, queryPassword: '112233', newChipUid: chip(), newKind });
}

async function auditClean(accountNo: string) {
  const account = (await getAccount(platform.deps.db, accountNo))!;
  expect(auditAccount(account, await ledgerOf(platform.deps, accountNo))).toEqual([]);
}

describe('transitional balance when the CPU card goes', () => {
  it('a CPU card replaced by an M1 card: the 30 yuan waiting become balance in the replacement’s own commit', async () => {
    const accountNo = await cpuHolder(5_000, 3_000);
    const res = await replaceAtKiosk(accountNo, 'm1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ feeFen: 2_000, balanceFen: 6_000 });
    expect(await getAccount(platform.deps.db, accountNo)).toMatchObject({ balanceFen: 6_000, transitionalFen: 0, activePhysicalCardKind: 'm1' });
    // One ledger entry, one transaction: the fee and the release together.
    const replacement = (await ledgerOf(platform.deps, accountNo)).find((entry) => entry.receiptNo === res.body.receiptNo)!;
    expect(replacement).toMatchObject({ type: 'fee', amountFen: 2_000, releasedTransitionalFen: 3_000, delta: { balanceFen: 1_000, transitionalFen: -3_000, smallWalletFen: 0 } });
    await auditClean(accountNo);
  });

  it('the released money counts toward the kiosk’s minimum balance', async () => {
    const accountNo = await cpuHolder(0, 3_000);
    const res = await replaceAtKiosk(accountNo, 'm1');
    expect(res.body).toMatchObject({ feeFen: 2_000, balanceFen: 1_000 });
    await auditClean(accountNo);
  });

  it('a CPU card replaced by a CPU card keeps the money waiting for the new chip', async () => {
    const accountNo = await cpuHolder(5_000, 3_000);
    const res = await replaceAtKiosk(accountNo, 'cpu');
    expect(res.body).toMatchObject({ feeFen: 2_000, balanceFen: 3_000 });
    expect(await getAccount(platform.deps.db, accountNo)).toMatchObject({ balanceFen: 3_000, transitionalFen: 3_000 });
    await auditClean(accountNo);
  });

  it('an order made with the CPU card and paid after the M1 replacement is credited to the balance', async () => {
    const accountNo = await cpuHolder(5_000, 0);
    const response = await fetch(`${platform.url}/v1/holder/topups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await holderToken(accountNo)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amountFen: 1_500, channel: 'wechat', payerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }),
    });
    const { order } = (await response.json()) as { order: { orderId: string; purse: string } };
    expect(order.purse).toBe('transitional');
    expect((await replaceAtKiosk(accountNo, 'm1')).status).toBe(200);
    expect((await listCards(platform.deps.db, accountNo)).filter((card) => card.status === 'active').map((card) => card.kind)).toEqual(['m1']);
    expect(await wechat.pay(order.orderId)).toBe(200);
    expect(await getAccount(platform.deps.db, accountNo)).toMatchObject({ balanceFen: 5_000 - 2_000 + 1_500, transitionalFen: 0 });
    expect((await ledgerOf(platform.deps, accountNo)).at(-1)).toMatchObject({ type: 'topup', amountFen: 1_500, delta: { balanceFen: 1_500, transitionalFen: 0 } });
    await auditClean(accountNo);
  });
});

describe('the card centre’s release, for money stranded before replacements released it', () => {
  const OPERATOR = { username: 'op.release', password: 'operator pass 2026', role: 'operator' as const };
  let token = '';
  beforeAll(async () => {
    await createStaffMember(platform.deps, OPERATOR);
    const response = await fetch(`${platform.url}/v1/admin/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: OPERATOR.username, password: OPERATOR.password }) });
    token = ((await response.json()) as { token: string }).token;
  });
  const release = async (accountNo: string, body: object) => {
    const response = await fetch(`${platform.url}/v1/admin/accounts/${accountNo}/transitional-releases`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  };

  /** An M1-card account whose CPU card was replaced before this fix: 30 yuan left in the transitional purse, as the old code left it. */
  async function stranded() {
    const accountNo = await cpuHolder(1_000, 3_000);
    const m1 = chip();
    const account = (await getAccount(platform.deps.db, accountNo))!;
    // The old replacement: the account points to an M1 card and the transitional balance stays.
    await platform.deps.db.doc.send(
      new UpdateCommand({ TableName: platform.deps.db.tableName, Key: keys.account(accountNo), UpdateExpression: 'SET activePhysicalCardKind = :m1, activeChipUid = :uid, version = :next', ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':m1': 'm1', ':uid': m1, ':next': account.version + 1, ':v': account.version } }),
    );
    return accountNo;
  }

  it('moves all of it to the balance, once per release id, audited as a ledger movement', async () => {
    const accountNo = await stranded();
    const body = { releaseId: 'rel-1', reason: 'CPU card replaced by M1 in 2025' };
    const res = await release(accountNo, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ releasedFen: 3_000, balanceFen: 4_000, transitionalFen: 0, replayed: false });
    expect((await release(accountNo, body)).body).toMatchObject({ receiptNo: res.body.receiptNo, replayed: true });
    expect((await ledgerOf(platform.deps, accountNo)).at(-1)).toMatchObject({ type: 'transitional_release', amountFen: 3_000, operator: OPERATOR.username, reason: body.reason, delta: { balanceFen: 3_000, transitionalFen: -3_000 } });
    expect((await release(accountNo, { releaseId: 'rel-2', reason: 'again' })).body.code).toBe('NOTHING_TO_RELEASE');
    await auditClean(accountNo);
  });

  it('a lost CPU card not yet replaced: the money waits for its replacement', async () => {
    const accountNo = await cpuHolder(1_000, 3_000);
    const loss = await fetch(`${platform.url}/v1/holder/loss`, { method: 'POST', headers: { authorization: `Bearer ${await holderToken(accountNo)}`, 'content-type': 'application/json' }, body: JSON.stringify({ queryPassword: '112233' }) });
    expect(loss.status).toBe(200);
    const res = await release(accountNo, { releaseId: 'rel-lost', reason: 'asked at the counter' });
    expect(res).toMatchObject({ status: 409, body: { code: 'TRANSITIONAL_WAITS_FOR_CARD' } });
    expect(await getAccount(platform.deps.db, accountNo)).toMatchObject({ balanceFen: 1_000, transitionalFen: 3_000 });
  });
});
