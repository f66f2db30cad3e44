import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ERRORS } from '@shared/errors';
import { stopAlarm } from '../src/feedback';
import { fakeApi, paid, receipt } from './fake-api';
import { alarmOn, beeps, CPU_CARD, renderApp } from './render-app';

afterEach(() => {
  cleanup();
  stopAlarm();
  delete document.documentElement.dataset.beeps;
});

/** What a USB scanner does: each character as a key, then Enter (nothing focused). */
function scan(text: string) {
  (document.activeElement as HTMLElement | null)?.blur();
  for (const key of text) fireEvent.keyDown(window, { key });
  fireEvent.keyDown(window, { key: 'Enter' });
}

function keyAmount(keys: string[]) {
  for (const key of keys) fireEvent.click(screen.getByTestId(`numpad-${key}`));
}

const CODE = 'EC1 6:F$KQ/ A9 %+3B'; // a code with spaces: kept exactly as read

describe('sale mode', () => {
  it('shows the keyed amount large as yuan, from the numpad and from the keyboard', async () => {
    await renderApp();
    expect(screen.getByTestId('amount-display').textContent).toBe('¥0.00');
    keyAmount(['1', '2', '.', '5']);
    expect(screen.getByTestId('amount-display').textContent).toBe('¥12.50');
    keyAmount(['.', '9', '9']); // a second point and a third decimal are refused
    expect(screen.getByTestId('amount-display').textContent).toBe('¥12.59');
    keyAmount(['back', 'back', 'back']);
    expect(screen.getByTestId('amount-display').textContent).toBe('¥12.00');
    fireEvent.change(screen.getByTestId('amount-input'), { target: { value: '8.8' } });
    expect(screen.getByTestId('amount-display').textContent).toBe('¥8.80');
    fireEvent.change(screen.getByTestId('amount-input'), { target: { value: '8.8x' } });
    expect(screen.getByTestId('amount-display').textContent).toBe('¥8.80');
  });

  it('charges a scanned campus code exactly as read after Enter, shows the balance and the masked name, beeps once', async () => {
    const api = fakeApi({ 'POST /v1/pos/qr-payments': (request) => paid(request, 8750) });
    await renderApp({ api });
    fireEvent.change(screen.getByTestId('amount-input'), { target: { value: '12.5' } });
    scan(CODE); // not armed yet: nothing is sent
    expect(api.sent('POST /v1/pos/qr-payments')).toHaveLength(0);
    fireEvent.keyDown(screen.getByTestId('amount-input'), { key: 'Enter', code: 'Enter', keyCode: 13 });
    await waitFor(() => expect(screen.getByTestId('code-reader').dataset.active).toBe('true'));
    scan(CODE);
    const outcome = await screen.findByTestId('outcome');
    expect(outcome.dataset.status).toBe('ok');
    expect(screen.getByTestId('outcome-balance').textContent).toBe('余额 ¥87.50');
    expect(outcome.textContent).toContain('张*明');
    const sent = api.sent('POST /v1/pos/qr-payments');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ token: CODE, amountFen: 1250 });
    expect(beeps()).toBe(1);
    expect(alarmOn()).toBe(false);
    expect(screen.getByTestId('amount-display').textContent).toBe('¥0.00');
  });

  it('P----: the keypad takes the consumption password and the same posTxnId is sent with it; a wrong one may be typed again', async () => {
    let calls = 0;
    const api = fakeApi({
      'POST /v1/pos/qr-payments': (request) => {
        calls += 1;
        if (!request.body!.consumptionPassword) return { refuse: 'PASSWORD_REQUIRED' };
        if (request.body!.consumptionPassword !== '246810') return { refuse: 'PASSWORD_WRONG' };
        return paid(request, 100);
      },
    });
    await renderApp({ api });
    keyAmount(['6', '0']);
    fireEvent.click(screen.getByTestId('charge'));
    scan(CODE);
    expect((await screen.findByTestId('password-prompt')).textContent).toBe('P----');
    expect(api.sent('POST /v1/pos/qr-payments')).toHaveLength(1);
    for (const d of '111111') fireEvent.click(screen.getByTestId(`keypad-${d}`));
    expect((await screen.findByTestId('keypad-message')).textContent).toBe(ERRORS.PASSWORD_WRONG.zh);
    expect(alarmOn()).toBe(true);
    for (const d of '246810') fireEvent.keyDown(window, { key: d }); // the physical keys work too
    expect(alarmOn()).toBe(false); // the next key stopped it
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.status).toBe('ok'));
    const sent = api.sent('POST /v1/pos/qr-payments');
    expect(calls).toBe(3);
    expect(sent.map((r) => r.body!.posTxnId)).toEqual([sent[0]!.body!.posTxnId, sent[0]!.body!.posTxnId, sent[0]!.body!.posTxnId]);
    expect(sent.map((r) => r.body!.consumptionPassword)).toEqual([undefined, '111111', '246810']);
    expect(screen.queryByTestId('password-prompt')).toBeNull();
  });

  it('a refusal sounds the alarm with the reason in Chinese until the next action', async () => {
    const api = fakeApi({ 'POST /v1/pos/qr-payments': () => ({ refuse: 'INSUFFICIENT_BALANCE' }) });
    await renderApp({ api });
    keyAmount(['9', '9']);
    fireEvent.click(screen.getByTestId('charge'));
    scan(CODE);
    const outcome = await screen.findByTestId('outcome');
    expect(outcome.dataset.status).toBe('refused');
    expect(screen.getByTestId('outcome-reason').textContent).toBe('余额不足');
    expect(alarmOn()).toBe(true);
    expect(beeps()).toBe(0);
    expect(screen.getByTestId('amount-display').textContent).toBe('¥99.00'); // kept: 收款 takes it again, another way
    keyAmount(['1']);
    expect(alarmOn()).toBe(false);
    expect(screen.getByTestId('amount-display').textContent).toBe('¥1.00'); // the next digit starts a new amount
  });

  it('a CPU card: the chip balance and counter as read are sent, and the chip is written with what the server says', async () => {
    const api = fakeApi({ 'POST /v1/pos/charges': (request) => paid(request, 8800, { accountNo: CPU_CARD.accountNo, chipBalanceToWriteFen: 8800 }) });
    await renderApp({ api });
    keyAmount(['1', '2']);
    fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.status).toBe('ok'));
    expect(api.sent('POST /v1/pos/charges')[0]!.body).toMatchObject({ chipUid: CPU_CARD.chipUid, amountFen: 1200, chipBalanceFen: 10_000, cardTxnCounter: 7 });
    expect(screen.getByTestId(`card-${CPU_CARD.chipUid}`).textContent).toContain('¥88.00');
  });

  it('an idle tap loads the transitional balance (reserve, write, confirm); a torn write says so and the next tap settles it', async () => {
    const reserves: Record<string, unknown>[] = [];
    const api = fakeApi({
      'POST /v1/pos/card-loads': (request) => {
        reserves.push(request.body!);
        const load = { loadId: 'L01KB0000000000000000000000', amountFen: 2000, expectedChipBalanceAfterFen: 12_000, expectedCardTxnCounterAfter: 8, expiresAt: new Date(Date.now() + 600_000).toISOString() };
        return { status: 200, body: reserves.length === 1 ? { load } : { load, settledEarlier: { loadId: load.loadId, outcome: 'voided' } } };
      },
      'POST /v1/pos/card-loads/{loadId}/confirm': () => ({ status: 200, body: { loadId: 'L01KB0000000000000000000000', amountFen: 2000, balanceFen: 12_000, transitionalFen: 0, receiptNo: receipt(5), replayed: false } }),
    });
    await renderApp({ api });
    fireEvent.click(screen.getByTestId('card-tear'));
    fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.status).toBe('refused'));
    expect(screen.getByTestId('outcome-reason').textContent).toBe('写卡未完成，请重新刷卡');
    expect(api.sent('POST /v1/pos/card-loads/L01KB0000000000000000000000/confirm')).toHaveLength(0);
    expect(screen.getByTestId(`card-${CPU_CARD.chipUid}`).textContent).toContain('¥100.00');
    fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.status).toBe('ok'));
    expect(reserves).toEqual([
      { chipUid: CPU_CARD.chipUid, cardTxnCounter: 7, chipBalanceFen: 10_000 },
      { chipUid: CPU_CARD.chipUid, cardTxnCounter: 7, chipBalanceFen: 10_000 }, // the torn write left the chip unchanged
    ]);
    expect(api.sent('POST /v1/pos/card-loads/L01KB0000000000000000000000/confirm')[0]!.body).toEqual({ cardTxnCounterAfter: 8, chipBalanceAfterFen: 12_000 });
    expect(screen.getByTestId('outcome-balance').textContent).toBe('卡内余额 ¥120.00');
    expect(screen.getByTestId('outcome').textContent).toContain('上次未完成的圈存已撤销');
  });

  it('a payment code that waits for the payer shows 等待用户输入密码 until it is decided', async () => {
    let polls = 0;
    const waiting = (request: { body?: Record<string, unknown> | undefined; path: string }) => ({
      status: 200,
      body: { posTxnId: String(request.body?.posTxnId ?? request.path.split('/').pop()), channel: 'wechat', amountFen: 500, status: 'waiting', retryAfterSeconds: 1 },
    });
    const api = fakeApi({
      'POST /v1/pos/payment-codes': (request) => waiting(request),
      'GET /v1/pos/payment-codes/{posTxnId}': (request) => {
        polls += 1;
        if (polls < 2) return waiting(request);
        return { status: 200, body: { posTxnId: request.path.split('/').pop(), channel: 'wechat', amountFen: 500, status: 'paid', receiptNo: receipt(7), platformTxnId: '4200000001', paidAt: new Date().toISOString(), replayed: false } };
      },
    });
    await renderApp({ api });
    keyAmount(['5']);
    fireEvent.click(screen.getByTestId('charge'));
    scan('134567890123456789');
    expect((await screen.findByTestId('waiting-payer')).textContent).toBe('等待用户输入密码');
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.status).toBe('ok'), { timeout: 5000 });
    expect(screen.getByTestId('outcome').textContent).toContain('微信支付');
    expect(screen.queryByTestId('waiting-payer')).toBeNull();
    await act(async () => undefined);
  });
});
