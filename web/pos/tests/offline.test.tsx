import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ERRORS } from '@shared/errors';
import { generateDeviceKeyPair, signQrToken, timeStepAt } from '@shared/qr-token';
import { connectTerminal, memoryStore } from '@shared/terminal-client';
import { stopAlarm } from '../src/feedback';
import { bundle, fakeApi, receipt, TERMINAL } from './fake-api';
import { alarmOn, CPU_CARD, renderApp } from './render-app';

afterEach(() => {
  cleanup();
  stopAlarm();
});

function scan(text: string) {
  (document.activeElement as HTMLElement | null)?.blur();
  for (const key of text) fireEvent.keyDown(window, { key });
  fireEvent.keyDown(window, { key: 'Enter' });
}

function charge(amount: string) {
  fireEvent.change(screen.getByTestId('amount-input'), { target: { value: amount } });
  fireEvent.click(screen.getByTestId('charge'));
}

const phone = generateDeviceKeyPair();
const publicKey = Buffer.from(phone.publicKey).toString('base64url');
let counter = 0;
const code = () => signQrToken({ version: 1, purpose: 'pay', keyId: 41, timeStep: timeStepAt(Date.now()), counter: counter++ }, phone.privateKey);

/** The phone's key is in the bundle once `bound.now` (a phone bound after the terminal started). */
function offlineApi(chipUids: string[] = [], bound = { now: true }, chipReasons?: Record<string, 'CARD_LOST'>) {
  return fakeApi({
    'GET /v1/pos/offline-bundle': () => ({ status: 200, body: bundle({ keys: bound.now ? [{ keyId: 41, publicKey, accountNo: '20230002', offlineCapFen: 3000 }] : [], chipUids, ...(chipReasons ? { chipReasons } : {}) }) }),
  });
}

/** The transaction query's answer: posted (receipt(n), amountFen) for the ids in `posted`, else not_found (the id closed). */
function transactionQuery(posted: Record<string, [n: number, amountFen: number]>) {
  return (request: { path: string }) => {
    const posTxnId = request.path.split('/').pop()!;
    const found = posted[posTxnId];
    if (!found) return { status: 200, body: { posTxnId, status: 'not_found' } };
    return { status: 200, body: { posTxnId, status: 'posted', method: 'qr', receiptNo: receipt(found[0]), amountFen: found[1], balanceFen: 900, holderDisplayName: '张*明', postedAt: new Date().toISOString() } };
  };
}

async function drill() {
  fireEvent.click(screen.getByTestId('drill-offline'));
  await waitFor(() => expect(screen.getByTestId('network-state').textContent).toBe('离线演练'));
}

describe('offline', () => {
  it('the drill takes codes and cards from the bundle, queues them with the count shown, and uploads them when back', async () => {
    const bound = { now: false };
    const api = offlineApi([], bound);
    await renderApp({ api });
    await waitFor(() => expect(screen.getByTestId('bundle-expiry').textContent).toContain('有效至'));
    bound.now = true; // the drill starts from a fresh bundle, which has the phone bound since
    await drill();

    charge('12');
    scan(code());
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.status).toBe('ok'));
    await waitFor(() => expect(screen.getByTestId('queued-count').textContent).toBe('1'));

    charge('25'); // above what is left of the 30-yuan offline cap
    scan(code());
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.status).toBe('refused'));
    expect(screen.getByTestId('outcome-reason').textContent).toBe('超出今日脱机消费限额（还可脱机消费 18 元），请联网后消费');
    expect(alarmOn()).toBe(true);

    // A card: the chip is debited first, then the record is queued with the chip's balance after.
    charge('3.5');
    fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
    await waitFor(() => expect(screen.getByTestId('queued-count').textContent).toBe('2'));
    expect(screen.getByTestId('outcome-balance').textContent).toBe('卡内余额 ¥96.50');
    expect(screen.getByTestId(`card-${CPU_CARD.chipUid}`).textContent).toContain('¥96.50');

    // Torn while debiting the chip: nothing queued.
    fireEvent.click(screen.getByTestId('card-tear'));
    charge('1');
    fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
    await waitFor(() => expect(screen.getByTestId('outcome-reason').textContent).toBe('写卡未完成，请重新刷卡'));
    expect(screen.getByTestId('queued-count').textContent).toBe('2');
    expect(api.sent('POST /v1/pos/qr-payments')).toHaveLength(0);
    expect(api.sent('POST /v1/pos/charges')).toHaveLength(0);

    fireEvent.click(screen.getByTestId('tab-offline'));
    await waitFor(() => expect(screen.getAllByTestId('offline-record').map((r) => r.dataset.state)).toEqual(['queued', 'queued']));

    fireEvent.click(screen.getByTestId('drill-offline'));
    await waitFor(() => expect(screen.getByTestId('queued-count').textContent).toBe('0'));
    await waitFor(() => expect(screen.getAllByTestId('offline-record').map((r) => r.dataset.state)).toEqual(['applied', 'applied']));
    const uploads = api.sent('POST /v1/pos/offline-uploads');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.body!.records).toMatchObject([
      { method: 'qr', amountFen: 1200 },
      { method: 'card', chipUid: CPU_CARD.chipUid, amountFen: 350, chipBalanceAfterFen: 9650 },
    ]);
    expect(screen.getByTestId('upload-outcome').textContent).toContain('入账2');
  });

  it('a blacklisted card is refused offline and its chip keeps its balance; a held record shows its reason in Chinese', async () => {
    const api = offlineApi([CPU_CARD.chipUid]);
    api.handlers['POST /v1/pos/offline-uploads'] = (request) => ({
      status: 200,
      body: { results: (request.body!.records as { recordId: string }[]).map((r) => ({ recordId: r.recordId, outcome: 'held', reason: 'card_lost', replayed: false })) },
    });
    await renderApp({ api });
    await waitFor(() => expect(screen.getByTestId('bundle-expiry').textContent).toContain('有效至'));
    await drill();
    charge('2');
    fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
    await waitFor(() => expect(screen.getByTestId('outcome-reason').textContent).toBe(ERRORS.OFFLINE_BLACKLISTED.zh));
    expect(screen.getByTestId(`card-${CPU_CARD.chipUid}`).textContent).toContain('¥100.00');
    expect(screen.getByTestId('queued-count').textContent).toBe('0');

    charge('2');
    scan(code());
    await waitFor(() => expect(screen.getByTestId('queued-count').textContent).toBe('1'));
    fireEvent.click(screen.getByTestId('tab-offline'));
    fireEvent.click(screen.getByTestId('drill-offline'));
    await waitFor(() => expect(screen.getAllByTestId('offline-record').map((r) => r.dataset.state)).toEqual(['held']));
    expect(screen.getByTestId('offline-record').textContent).toContain('卡已挂失');
  });

  it('a card the bundle refuses (its reason, or too little on the chip) is refused before the chip is written: the chip is never touched', async () => {
    const api = offlineApi([CPU_CARD.chipUid], { now: true }, { [CPU_CARD.chipUid]: 'CARD_LOST' });
    const poor = { ...CPU_CARD, chipUid: '04FFEE0011', chipBalanceFen: 150 };
    const { chips } = await renderApp({ api, cards: [CPU_CARD, poor] });
    await waitFor(() => expect(screen.getByTestId('bundle-expiry').textContent).toContain('有效至'));
    await drill();
    fireEvent.click(screen.getByTestId('card-tear')); // a write would tear and say so: none is attempted
    charge('2');
    fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
    await waitFor(() => expect(screen.getByTestId('outcome-reason').textContent).toBe(ERRORS.CARD_LOST.zh));
    charge('2');
    fireEvent.click(screen.getByTestId(`card-${poor.chipUid}`));
    await waitFor(() => expect(screen.getByTestId('outcome-reason').textContent).toBe('卡内余额不足（1.50 元）'));
    expect(alarmOn()).toBe(true);
    expect(await chips.list('')).toEqual([]); // no chip was ever written (a write, even one given back, is kept with its counter)
    expect(screen.getByTestId(`card-${poor.chipUid}`).textContent).toContain('¥1.50');
    expect(screen.getByTestId('queued-count').textContent).toBe('0');
  });

  it('sales left unknown are settled when the network is back and the cashier is told each: 收款成功 with the receipt, or 未扣款，请重新收款', async () => {
    // Two sales sent while every answer was lost (as after a crash), kept unresolved in the store.
    const store = memoryStore();
    const lost = await connectTerminal({ baseUrl: '', store, fetch: async () => Promise.reject(new TypeError('Failed to fetch')), retries: 0 }, TERMINAL);
    await lost.sell({ posTxnId: 'S1', method: 'code', code: code(), amountFen: 1250 });
    await lost.sell({ posTxnId: 'S2', method: 'code', code: code(), amountFen: 500 });
    expect(await lost.unresolvedSales()).toHaveLength(2);

    const api = offlineApi();
    api.handlers['GET /v1/pos/transactions/{posTxnId}'] = transactionQuery({ S1: [7, 1250] });
    await renderApp({ api, store });
    const shown = await screen.findByTestId('settled-sales');
    expect(shown.textContent).toBe('补查：2 笔，1 笔未扣款');
    expect(shown.dataset.notTaken).toBe('1');
    fireEvent.click(shown);
    const rows = await screen.findAllByTestId('settled-sale');
    expect(rows.map((row) => [row.dataset.status, row.textContent])).toEqual([
      ['posted', expect.stringContaining('收款成功 ¥12.50')],
      ['refused', expect.stringContaining('¥5.00 未扣款，请重新收款')],
    ]);
    expect(within(rows[0]!).getByTestId('settled-receipt').textContent).toBe(receipt(7));
    expect(await lost.unresolvedSales()).toEqual([]);
    fireEvent.click(screen.getByTestId('settled-dismiss'));
    await waitFor(() => expect(screen.queryByTestId('settled-sales')).toBeNull());
  });

  it('a sale with no answer marks the terminal offline; pings bring it back', async () => {
    const api = offlineApi();
    api.handlers['POST /v1/pos/qr-payments'] = () => new Promise(() => undefined); // never answers
    let asked = '';
    api.handlers['GET /v1/pos/transactions/{posTxnId}'] = (request) => {
      asked = request.path.split('/').pop()!;
      return transactionQuery({ [asked]: [3, 100] })(request);
    };
    await renderApp({ api });
    api.down = true;
    charge('1');
    scan(code());
    await waitFor(() => expect(screen.getByTestId('network-state').textContent).toBe('离线'), { timeout: 15_000 });
    expect(screen.getByTestId('outcome-reason').textContent).toBe('交易结果未知，联网后自动查询，请勿重复收款');
    api.down = false;
    await waitFor(() => expect(screen.getByTestId('network-state').textContent).toBe('在线'), { timeout: 5000 });
    // Back online, the transaction query settles it and the top bar says so.
    await waitFor(() => expect(screen.getByTestId('settled-sales').textContent).toBe('补查：收款成功 ¥1.00'));
    expect(asked).toMatch(/^S[0-9A-HJKMNP-TV-Z]{26}$/); // the sale's own id, made by the client's newRequestId
  }, 30_000);
});
