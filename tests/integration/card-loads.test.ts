/** Writing transitional balance to a CPU card: reserve → write → confirm, torn writes, two POS, timeouts. */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import { createDeps } from '../../functions/deps';
import { campusDay } from '../../functions/domain/campus-day';
import { creditTransitional } from '../../functions/services/movements';
import { getAccount } from '../../functions/store/accounts';
import { getCardLoad } from '../../functions/store/card-loads';
import { issueCard } from '../../functions/store/cards';
import { auditLedger } from '../../functions/services/audit';
import { createTestAccount, createTestTerminal, ledgerOf, terminalFetch } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
let uidSeq = 0;

/** A holder with a CPU card whose chip holds `chipFen`, and `pendingFen` topped up online for it. */
async function cardHolder(chipFen: number, pendingFen: number) {
  const account = await createTestAccount(platform.deps, { balanceFen: chipFen });
  const chipUid = `04C0FFEE${String(++uidSeq).padStart(6, '0')}`;
  await issueCard(platform.deps.db, { cardId: `C-${chipUid}`, accountNo: account.accountNo, kind: 'cpu', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
  if (pendingFen) await creditTransitional(platform.deps, { accountNo: account.accountNo, amountFen: pendingFen, channel: 'wechat', externalRef: `wx-${chipUid}` });
  return { account, chipUid };
}

const reserve = (terminal: Awaited<ReturnType<typeof createTestTerminal>>, body: object) => terminalFetch(platform.url, terminal, 'POST', '/v1/pos/card-loads', body);
const confirm = (terminal: Awaited<ReturnType<typeof createTestTerminal>>, loadId: string, body: object) =>
  terminalFetch(platform.url, terminal, 'POST', `/v1/pos/card-loads/${loadId}/confirm`, body);

async function purses(accountNo: string) {
  const a = (await getAccount(platform.deps.db, accountNo))!;
  return { balanceFen: a.balanceFen, transitionalFen: a.transitionalFen, chipBalanceFen: a.chipBalanceFen };
}

describe('card loads', () => {
  it('reserve → write → confirm moves the transitional balance onto the card, once', async () => {
    const { account, chipUid } = await cardHolder(1_000, 5_000);
    const pos = await createTestTerminal(platform.deps);
    const reserved = await reserve(pos, { chipUid, cardTxnCounter: 7, chipBalanceFen: 1_000 });
    expect(reserved.status).toBe(200);
    expect(reserved.body.load).toMatchObject({ amountFen: 5_000, expectedChipBalanceAfterFen: 6_000, expectedCardTxnCounterAfter: 8 });
    const { loadId } = reserved.body.load;
    const done = await confirm(pos, loadId, { cardTxnCounterAfter: 8, chipBalanceAfterFen: 6_000 });
    expect(done.body).toMatchObject({ amountFen: 5_000, balanceFen: 6_000, transitionalFen: 0, replayed: false });
    expect((await confirm(pos, loadId, { cardTxnCounterAfter: 8, chipBalanceAfterFen: 6_000 })).body).toMatchObject({ receiptNo: done.body.receiptNo, replayed: true });
    expect(await purses(account.accountNo)).toEqual({ balanceFen: 6_000, transitionalFen: 0, chipBalanceFen: 6_000 });
    expect(await getCardLoad(platform.deps.db, loadId)).toMatchObject({ pendingKind: 'card_load', state: 'posted', resolution: 'confirmed' });
    // Nothing left: the next idle tap reserves nothing.
    expect((await reserve(pos, { chipUid, cardTxnCounter: 8, chipBalanceFen: 6_000 })).body).toEqual({});
  });

  it('two POS reserving the same card at once: one gets the load, the other is told to wait', async () => {
    const { chipUid } = await cardHolder(0, 3_000);
    const [a, b] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    const results = await Promise.all([reserve(a, { chipUid, cardTxnCounter: 1, chipBalanceFen: 0 }), reserve(b, { chipUid, cardTxnCounter: 1, chipBalanceFen: 0 })]);
    expect(results.filter((r) => r.status === 200 && r.body.load)).toHaveLength(1);
    expect(results.filter((r) => r.body.code === 'LOAD_IN_PROGRESS')).toHaveLength(1);
  });

  it('a torn write (card pulled away after the chip took it, no confirm) is posted at the next tap, never loaded twice', async () => {
    const { account, chipUid } = await cardHolder(500, 2_000);
    const [a, b] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    const first = await reserve(a, { chipUid, cardTxnCounter: 3, chipBalanceFen: 500 });
    // The chip took it (counter 4, 2,500) but the POS never confirmed. A top-up arrives meanwhile.
    await creditTransitional(platform.deps, { accountNo: account.accountNo, amountFen: 700, channel: 'alipay', externalRef: 'ali-torn' });
    const next = await reserve(b, { chipUid, cardTxnCounter: 4, chipBalanceFen: 2_500 });
    expect(next.body.settledEarlier).toEqual({ loadId: first.body.load.loadId, outcome: 'posted' });
    expect(next.body.load).toMatchObject({ amountFen: 700, expectedChipBalanceAfterFen: 3_200, expectedCardTxnCounterAfter: 5 });
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 2_500, transitionalFen: 700 });
    // The first POS's late confirmation now answers the posted load; nothing moves twice.
    const late = await confirm(a, first.body.load.loadId, { cardTxnCounterAfter: 4, chipBalanceAfterFen: 2_500 });
    expect(late.body.replayed).toBe(true);
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 2_500, transitionalFen: 700 });
    expect((await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.type === 'card_load')).toHaveLength(1);
  });

  it('a write that never reached the chip is voided at the next tap by the same POS, and the money is reserved again', async () => {
    const { account, chipUid } = await cardHolder(0, 1_500);
    const pos = await createTestTerminal(platform.deps);
    const first = await reserve(pos, { chipUid, cardTxnCounter: 9, chipBalanceFen: 0 });
    const again = await reserve(pos, { chipUid, cardTxnCounter: 9, chipBalanceFen: 0 });
    expect(again.body.settledEarlier).toEqual({ loadId: first.body.load.loadId, outcome: 'voided' });
    expect(again.body.load.amountFen).toBe(1_500);
    // A confirmation of the voided load is refused: the card never showed it.
    expect((await confirm(pos, first.body.load.loadId, { cardTxnCounterAfter: 10, chipBalanceAfterFen: 1_500 })).body.code).toBe('LOAD_VOIDED');
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 0, transitionalFen: 1_500 });
  });

  it('another POS may take over only after the reservation timed out (60 s)', async () => {
    const { chipUid } = await cardHolder(0, 1_000);
    const [a, b] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    await reserve(a, { chipUid, cardTxnCounter: 2, chipBalanceFen: 0 });
    expect((await reserve(b, { chipUid, cardTxnCounter: 2, chipBalanceFen: 0 })).body.code).toBe('LOAD_IN_PROGRESS');
    const { reserveCardLoad } = await import('../../functions/services/card-loads');
    const afterTimeout = createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() + 61_000) });
    const takeover = await reserveCardLoad(afterTimeout, b, { chipUid, cardTxnCounter: 2, chipBalanceFen: 0 });
    // Past its timeout with the card unchanged: the pending transfer expired (the money stays transitional) and is reserved anew.
    expect(takeover.settledEarlier?.outcome).toBe('expired');
    expect(takeover.load?.amountFen).toBe(1_000);
  });

  it('a confirmation that arrives after the reservation timed out (nobody took over) still posts: the chip has the money', async () => {
    const { account, chipUid } = await cardHolder(200, 800);
    const pos = await createTestTerminal(platform.deps);
    const reserved = await reserve(pos, { chipUid, cardTxnCounter: 11, chipBalanceFen: 200 });
    const { confirmCardLoad } = await import('../../functions/services/card-loads');
    const twoMinutesLater = createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() + 120_000) });
    const posted = await confirmCardLoad(twoMinutesLater, pos, { loadId: reserved.body.load.loadId, cardTxnCounterAfter: 12, chipBalanceAfterFen: 1_000 });
    expect(posted).toMatchObject({ amountFen: 800, balanceFen: 1_000, transitionalFen: 0, replayed: false });
    expect(await purses(account.accountNo)).toEqual({ balanceFen: 1_000, transitionalFen: 0, chipBalanceFen: 1_000 });
  });

  it('refuses a confirmation that does not show this load, an M1 card, and an unknown card', async () => {
    const { chipUid } = await cardHolder(100, 900);
    const pos = await createTestTerminal(platform.deps);
    const reserved = await reserve(pos, { chipUid, cardTxnCounter: 5, chipBalanceFen: 100 });
    expect((await confirm(pos, reserved.body.load.loadId, { cardTxnCounterAfter: 6, chipBalanceAfterFen: 1_900 })).body.code).toBe('LOAD_MISMATCH');
    expect((await confirm(pos, reserved.body.load.loadId, { cardTxnCounterAfter: 5, chipBalanceAfterFen: 1_000 })).body.code).toBe('LOAD_MISMATCH');
    const other = await createTestTerminal(platform.deps);
    expect((await confirm(other, reserved.body.load.loadId, { cardTxnCounterAfter: 6, chipBalanceAfterFen: 1_000 })).body.code).toBe('LOAD_NOT_FOUND');
    const m1 = await createTestAccount(platform.deps);
    await issueCard(platform.deps.db, { cardId: 'M1-1', accountNo: m1.accountNo, kind: 'm1', chipUid: '0A0B0C0D', status: 'active', issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
    expect((await reserve(pos, { chipUid: '0A0B0C0D', cardTxnCounter: 0, chipBalanceFen: 0 })).body.code).toBe('NO_CPU_CARD');
    expect((await reserve(pos, { chipUid: 'FFFFFFFF', cardTxnCounter: 0, chipBalanceFen: 0 })).body.code).toBe('CARD_NOT_FOUND');
  });

  it('leaves the ledger explaining every purse', async () => {
    expect((await auditLedger(platform.deps.db)).findings).toEqual([]);
  });
});
