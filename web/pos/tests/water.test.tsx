import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { openWaterSession, settleChipWalletRoute, settleWaterSession, uploadWaterUsageRoute } from '@shared/api/water';
import { ERRORS } from '@shared/errors';
import { stopAlarm } from '../src/feedback';
import { WaterMode } from '../src/modes/water';
import { UNREACHABLE_ZH } from '../src/modes/kiosk/failure';
import { fakeApi, receipt, type FakeRequest } from './fake-api';
import { contract, renderMode } from './modes-harness';
import { alarmOn, CPU_CARD } from './render-app';

afterEach(() => {
  cleanup();
  stopAlarm();
  localStorage.clear();
  delete document.documentElement.dataset.beeps;
});

const tap = () => fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
const waterStatus = () => screen.getByTestId('water-status');
const settled = () => waitFor(() => expect(['ok', 'refused']).toContain(waterStatus().dataset.status));
/** What the rack shows of a CPU card's main purse (the chip as last written). */
const rackPurse = (chipUid = CPU_CARD.chipUid) => screen.getByTestId(`card-${chipUid}`).textContent;
const M1_CARD = { ...CPU_CARD, chipUid: '04F1000001', kind: 'm1' as const, accountNo: '20230002' };

/**
 * The settlement terminal's answer as docs/water.md computes it: usage = ours − chip, refill to 10 yuan
 * from a 50-yuan balance; a CPU card (main purse read) is told to write the balance after the refill.
 */
function walletServer() {
  const state = { smallWalletFen: 0, balanceFen: 5000 };
  const byTap = new Map<string, unknown>();
  return {
    state,
    handler: (request: FakeRequest) => {
      const body = request.body as { tapId: string; chipWalletFen: number; chipBalanceFen?: number };
      const earlier = byTap.get(body.tapId);
      if (earlier) return contract(settleChipWalletRoute, request, { ...(earlier as object), replayed: true } as never);
      if (body.chipWalletFen > state.smallWalletFen) return { refuse: 'SMALL_WALLET_CHIP_AHEAD' as const };
      const usageFen = state.smallWalletFen - body.chipWalletFen;
      state.smallWalletFen -= usageFen;
      const refillFen = Math.min(1000 - state.smallWalletFen, state.balanceFen);
      state.smallWalletFen += refillFen;
      state.balanceFen -= refillFen;
      const answer = {
        tapId: body.tapId,
        accountNo: CPU_CARD.accountNo,
        holderDisplayName: '张*明',
        usageFen,
        refillFen,
        balanceFen: state.balanceFen,
        smallWalletFen: state.smallWalletFen,
        chipWalletToWriteFen: state.smallWalletFen,
        ...(body.chipBalanceFen !== undefined ? { chipBalanceToWriteFen: state.balanceFen } : {}),
        receiptNos: [receipt(byTap.size + 1)],
        settledAt: new Date().toISOString(),
        replayed: false,
      };
      byTap.set(body.tapId, answer);
      return contract(settleChipWalletRoute, request, answer);
    },
  };
}

describe('water mode: settlement terminal', () => {
  it('preloads 10 yuan at the first tap, the controllers spend the chip wallet offline and upload, and the next tap settles the usage and refills', async () => {
    const server = walletServer();
    const uploaded: unknown[] = [];
    const api = fakeApi({
      'POST /v1/pos/water/wallet-settlements': server.handler,
      'POST /v1/pos/water/usage-uploads': (request) => {
        uploaded.push(...(request.body!.records as unknown[]));
        return contract(uploadWaterUsageRoute, request, { results: (request.body!.records as { recordId: string }[]).map((r) => ({ recordId: r.recordId, outcome: 'stored' as const, replayed: false })) });
      },
    });
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [CPU_CARD] });

    tap();
    await settled();
    expect(waterStatus().dataset.status).toBe('ok');
    expect(waterStatus().textContent).toContain('首次刷卡，已预存');
    expect(screen.getByTestId('water-usage').textContent).toBe('¥0.00');
    expect(screen.getByTestId('water-refill').textContent).toBe('¥10.00');
    expect(screen.getByTestId('water-balance').textContent).toBe('¥40.00');
    expect(screen.getByTestId('water-chip-wallet').textContent).toBe('¥10.00');
    // The main purse as read went with the tap, and the 10 yuan came off it (the chip shows the account's balance).
    expect(api.sent('POST /v1/pos/water/wallet-settlements')[0]!.body).toMatchObject({ chipBalanceFen: 10_000, cardTxnCounter: 7 });
    expect(screen.getByTestId('water-chip-balance').textContent).toBe('¥40.00');
    expect(rackPurse()).toContain('¥40.00');

    // Two showers at the controllers, 1 yuan each, then their records uploaded once.
    fireEvent.click(screen.getByTestId('water-tab-records'));
    fireEvent.click(screen.getByTestId('water-spend-100'));
    tap();
    tap();
    expect(screen.getByTestId('water-chip-wallet').textContent).toBe('¥8.00');
    expect(screen.getByTestId('water-queued').textContent).toBe('2');
    fireEvent.click(screen.getByTestId('water-upload'));
    await waitFor(() => expect(screen.getByTestId('water-queued').textContent).toBe('0'));
    expect(uploaded).toHaveLength(2);
    expect(uploaded[1]).toMatchObject({ chipUid: CPU_CARD.chipUid, amountFen: 100, chipWalletAfterFen: 800 });
    expect(screen.getAllByTestId('water-record').map((r) => r.dataset.outcome)).toEqual(['stored', 'stored']);

    fireEvent.click(screen.getByTestId('water-tab-settle'));
    tap();
    await settled();
    expect(api.sent('POST /v1/pos/water/wallet-settlements').at(-1)!.body).toMatchObject({ chipUid: CPU_CARD.chipUid, chipWalletFen: 800, chipBalanceFen: 4_000, cardTxnCounter: 8 });
    expect(screen.getByTestId('water-usage').textContent).toBe('¥2.00');
    expect(screen.getByTestId('water-refill').textContent).toBe('¥2.00');
    expect(screen.getByTestId('water-wallet').textContent).toBe('¥10.00');
    expect(screen.getByTestId('water-chip-wallet').textContent).toBe('¥10.00');
    expect(rackPurse()).toContain('¥38.00');
  });

  it('a card pulled away during the write leaves the chip as it was, and the next tap resends the same tapId and writes', async () => {
    const server = walletServer();
    const api = fakeApi({ 'POST /v1/pos/water/wallet-settlements': server.handler });
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [CPU_CARD] });
    fireEvent.click(screen.getByTestId('card-tear'));
    tap();
    await settled();
    expect(waterStatus().dataset.status).toBe('refused');
    expect(screen.getByTestId('water-reason').textContent).toBe('卡片已移开，小钱包未写入，请重新刷卡');
    expect(screen.queryByTestId('water-chip-wallet')).toBeNull(); // the card went with the write
    expect(rackPurse()).toContain('¥100.00'); // the main purse is the same card write: not written either

    tap();
    await waitFor(() => expect(waterStatus().dataset.status).toBe('ok'));
    const [first, second] = api.sent('POST /v1/pos/water/wallet-settlements');
    expect(second!.body).toEqual(first!.body); // same tapId, same reading: the server answers the same
    expect(screen.getByTestId('water-chip-wallet').textContent).toBe('¥10.00');
    expect(rackPurse()).toContain('¥40.00');
    expect(server.state.balanceFen).toBe(4000); // loaded once
  });

  it('with no answer keeps the tap, and the next tap of the unchanged chip resends it', async () => {
    const server = walletServer();
    const api = fakeApi({ 'POST /v1/pos/water/wallet-settlements': server.handler });
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [CPU_CARD] });
    api.down = true;
    tap();
    await settled();
    expect(screen.getByTestId('water-reason').textContent).toBe(UNREACHABLE_ZH);
    api.down = false;
    tap();
    await waitFor(() => expect(waterStatus().dataset.status).toBe('ok'));
    const sent = api.sent('POST /v1/pos/water/wallet-settlements');
    expect(new Set(sent.map((r) => r.body!.tapId)).size).toBe(1);
  });

  it('refuses a chip showing more than was loaded, in Chinese, with the alarm, and writes nothing', async () => {
    localStorage.setItem(`ecard-water-chip#${CPU_CARD.chipUid}`, '1500');
    const server = walletServer();
    const api = fakeApi({ 'POST /v1/pos/water/wallet-settlements': server.handler });
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [CPU_CARD] });
    tap();
    await settled();
    expect(screen.getByTestId('water-reason').textContent).toBe(ERRORS.SMALL_WALLET_CHIP_AHEAD.zh);
    expect(alarmOn()).toBe(true);
    expect(screen.getByTestId('water-chip-wallet').textContent).toBe('¥15.00');
  });

  it('an M1 card sends no main purse and writes only its wallet', async () => {
    const server = walletServer();
    const api = fakeApi({ 'POST /v1/pos/water/wallet-settlements': server.handler });
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [M1_CARD] });
    fireEvent.click(screen.getByTestId(`card-${M1_CARD.chipUid}`));
    await waitFor(() => expect(waterStatus().dataset.status).toBe('ok'));
    const body = api.sent('POST /v1/pos/water/wallet-settlements')[0]!.body!;
    expect(body).not.toHaveProperty('chipBalanceFen');
    expect(body).not.toHaveProperty('cardTxnCounter');
    expect(screen.queryByTestId('water-chip-balance')).toBeNull();
    expect(screen.getByTestId('water-chip-wallet').textContent).toBe('¥10.00');
  });
});

describe('water mode: controller records', () => {
  it('keeps the chip wallet and the queued records across a reload, and shows each record’s outcome after the upload', async () => {
    localStorage.setItem(`ecard-water-chip#${CPU_CARD.chipUid}`, '1000');
    let api = fakeApi();
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [CPU_CARD] });
    fireEvent.click(screen.getByTestId('water-tab-records'));
    fireEvent.click(screen.getByTestId('water-spend-200'));
    tap();
    tap();
    expect(screen.getByTestId('water-queued').textContent).toBe('2');
    cleanup(); // the page reloaded

    api = fakeApi({
      'POST /v1/pos/water/usage-uploads': (request) => {
        const [first, second] = request.body!.records as { recordId: string }[];
        return contract(uploadWaterUsageRoute, request, {
          results: [
            { recordId: first!.recordId, outcome: 'stored', replayed: false },
            { recordId: second!.recordId, outcome: 'conflict', replayed: false },
          ],
        });
      },
    });
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [CPU_CARD] });
    fireEvent.click(screen.getByTestId('water-tab-records'));
    expect(screen.getByTestId('water-queued').textContent).toBe('2');
    fireEvent.click(screen.getByTestId('water-upload'));
    await waitFor(() => expect(screen.getByTestId('water-queued').textContent).toBe('0'));
    expect(api.sent('POST /v1/pos/water/usage-uploads')[0]!.body!.records).toMatchObject([
      { chipUid: CPU_CARD.chipUid, amountFen: 200, chipWalletAfterFen: 800 },
      { chipUid: CPU_CARD.chipUid, amountFen: 200, chipWalletAfterFen: 600 },
    ]);
    tap();
    expect(screen.getByTestId('water-chip-wallet').textContent).toBe('¥5.00'); // 1 yuan a use again after the reload
    // Newest first on screen: the new one (not sent yet), then the conflict, then the stored one.
    expect(screen.getAllByTestId('water-record').map((r) => r.dataset.outcome)).toEqual(['queued', 'conflict', 'stored']);
  });
});

describe('water mode: pre-deduction controller', () => {
  it('first tap pre-deducts, the meter counts the water, the second tap settles and refunds the rest', async () => {
    const api = fakeApi({
      'POST /v1/pos/water/sessions': (request) =>
        contract(openWaterSession, request, {
          sessionId: 'S1',
          accountNo: CPU_CARD.accountNo,
          holderDisplayName: '张*明',
          preloadedFen: 1000,
          balanceFen: 4000,
          smallWalletFen: 1000,
          receiptNo: receipt(1),
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          chipBalanceToWriteFen: 4000,
          postedAt: new Date().toISOString(),
          replayed: false,
        }),
      'POST /v1/pos/water/sessions/settlement': (request) => {
        const usedFen = request.body!.usedFen as number;
        return contract(settleWaterSession, request, {
          accountNo: CPU_CARD.accountNo,
          holderDisplayName: '张*明',
          usedFen,
          refundedFen: 1000 - usedFen,
          balanceFen: 5000 - usedFen,
          smallWalletFen: 0,
          chipBalanceToWriteFen: 5000 - usedFen,
          receiptNo: receipt(2),
          postedAt: new Date().toISOString(),
          replayed: false,
        });
      },
    });
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [CPU_CARD] });
    fireEvent.click(screen.getByTestId('water-tab-session'));
    tap();
    await waitFor(() => expect(waterStatus().dataset.status).toBe('ok'));
    expect(screen.getByTestId('water-preloaded').textContent).toBe('¥10.00');
    expect(screen.getByTestId('water-session-open').dataset.open).toBe('true');
    // The pre-deduction came off the chip's main purse: read sent, the answer written.
    expect(api.sent('POST /v1/pos/water/sessions')[0]!.body).toMatchObject({ chipUid: CPU_CARD.chipUid, chipBalanceFen: 10_000, cardTxnCounter: 7 });
    expect(screen.getByTestId('water-chip-balance').textContent).toBe('¥40.00');
    expect(rackPurse()).toContain('¥40.00');
    fireEvent.click(screen.getByTestId('water-used-add-100'));
    fireEvent.click(screen.getByTestId('water-used-add-50'));
    expect(screen.getByTestId('water-used').textContent).toBe('¥1.50');
    tap(); // the second tap stops the water
    await waitFor(() => expect(screen.queryByTestId('water-refunded')).not.toBeNull());
    expect(api.sent('POST /v1/pos/water/sessions/settlement')[0]!.body).toMatchObject({ chipUid: CPU_CARD.chipUid, usedFen: 150, chipBalanceFen: 4_000, cardTxnCounter: 8 });
    expect(screen.getByTestId('water-usage').textContent).toBe('¥1.50');
    expect(screen.getByTestId('water-refunded').textContent).toBe('¥8.50');
    expect(screen.getByTestId('water-balance').textContent).toBe('¥48.50');
    // The change went back on the chip too.
    expect(rackPurse()).toContain('¥48.50');
    expect(screen.queryByTestId('water-session-open')).toBeNull();
  });

  it('a first tap whose chip write is torn says so: the money is pre-deducted, the card keeps its purse until its next tap', async () => {
    const api = fakeApi({
      'POST /v1/pos/water/sessions': (request) =>
        contract(openWaterSession, request, {
          sessionId: 'S2',
          accountNo: CPU_CARD.accountNo,
          holderDisplayName: '张*明',
          preloadedFen: 1000,
          balanceFen: 9000,
          smallWalletFen: 1000,
          receiptNo: receipt(3),
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          chipBalanceToWriteFen: 9000,
          postedAt: new Date().toISOString(),
          replayed: false,
        }),
    });
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [CPU_CARD] });
    fireEvent.click(screen.getByTestId('water-tab-session'));
    fireEvent.click(screen.getByTestId('card-tear'));
    tap();
    await waitFor(() => expect(waterStatus().dataset.status).toBe('ok'));
    expect(screen.getByTestId('water-chip-torn').textContent).toBe('卡内余额未写入，下次刷卡时更新');
    expect(rackPurse()).toContain('¥100.00');
    expect(screen.getByTestId('water-session-open').dataset.open).toBe('true');
  });

  it('shows a refused first tap in Chinese (not enough balance)', async () => {
    const api = fakeApi({ 'POST /v1/pos/water/sessions': () => ({ refuse: 'INSUFFICIENT_BALANCE' }) });
    await renderMode(<WaterMode />, { kind: 'water', api, cards: [CPU_CARD] });
    fireEvent.click(screen.getByTestId('water-tab-session'));
    tap();
    await settled();
    expect(screen.getByTestId('water-reason').textContent).toBe(ERRORS.INSUFFICIENT_BALANCE.zh);
    expect(screen.queryByTestId('water-session-open')).toBeNull();
  });
});
