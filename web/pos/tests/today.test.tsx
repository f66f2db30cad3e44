import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ERRORS } from '@shared/errors';
import { stopAlarm } from '../src/feedback';
import { fakeApi, receipt, TERMINAL, type FakeRequest } from './fake-api';
import { alarmOn, beeps, renderApp } from './render-app';

afterEach(() => {
  cleanup();
  stopAlarm();
  delete document.documentElement.dataset.beeps;
});

const total = (count: number, amountFen: number, refundedFen = 0) => ({ count, amountFen, refundedFen });

function dayWith(refundedFen: number) {
  return {
    terminalId: TERMINAL.terminalId,
    campusDay: '2026-12-01',
    truncated: false,
    sales: [
      { receiptNo: receipt(2), posTxnId: 'S2', postedAt: '2026-12-01T04:10:00.000Z', amountFen: 1250, method: 'qr', holderDisplayName: '张*明', refundedFen },
      { receiptNo: receipt(1), posTxnId: 'S1', postedAt: '2026-12-01T04:00:00.000Z', amountFen: 800, method: 'wechat', refundedFen: 0 },
    ],
    totals: { count: 2, amountFen: 2050, refundedFen, byMethod: { card: total(0, 0), qr: total(1, 1250, refundedFen), wechat: total(1, 800), alipay: total(0, 0) } },
  };
}

describe('today', () => {
  it('shows the day’s totals and refunds part of a sale through POST /v1/pos/refunds', async () => {
    let refunded = 0;
    const refunds: FakeRequest[] = [];
    const api = fakeApi({
      'GET /v1/pos/day': () => ({ status: 200, body: dayWith(refunded) }),
      'POST /v1/pos/refunds': (request) => {
        refunds.push(request);
        if ((request.body!.amountFen as number) > 1250 - refunded) return { refuse: 'REFUND_EXCEEDS_PURCHASE' };
        refunded += request.body!.amountFen as number;
        return { status: 200, body: { refundReceiptNo: receipt(3), receiptNo: request.body!.receiptNo, amountFen: request.body!.amountFen, balanceFen: 5000, holderDisplayName: '张*明', postedAt: new Date().toISOString(), replayed: false } };
      },
    });
    await renderApp({ api });
    fireEvent.click(screen.getByTestId('tab-today'));
    await waitFor(() => expect(screen.getByTestId('day-count').textContent).toBe('2'));
    expect(screen.getByTestId('day-amount').textContent).toBe('¥20.50');
    expect(screen.getByTestId('day-totals').textContent).toContain('微信支付 1笔 ¥8.00');

    fireEvent.click(screen.getByTestId(`refund-${receipt(2)}`));
    const amount = (await screen.findByTestId('refund-amount')) as HTMLInputElement;
    expect(amount.value).toBe('12.50'); // the whole, by default
    fireEvent.change(amount, { target: { value: '20' } });
    fireEvent.click(screen.getByTestId('refund-confirm'));
    expect((await screen.findByTestId('refund-problem')).textContent).toBe('退款金额有误，可退 ¥12.50'); // more than the sale: refused here
    expect(refunds).toHaveLength(0);

    fireEvent.change(amount, { target: { value: '5' } });
    fireEvent.click(screen.getByTestId('refund-confirm'));
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.status).toBe('ok'));
    expect(screen.getByTestId('outcome').textContent).toContain('退款成功 ¥5.00');
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.body).toMatchObject({ receiptNo: receipt(2), amountFen: 500 });
    expect(beeps()).toBe(1);
    await waitFor(() => expect(screen.getByTestId('day-refunded').textContent).toBe('¥5.00'));
    expect(screen.getByTestId(`sale-${receipt(2)}`).textContent).toContain('已退 ¥5.00');
  });

  it('a refusal of the refund shows the server’s reason with the alarm', async () => {
    const api = fakeApi({
      'GET /v1/pos/day': () => ({ status: 200, body: dayWith(0) }),
      'POST /v1/pos/refunds': () => ({ refuse: 'REFUND_DAY_PASSED' }),
    });
    await renderApp({ api });
    fireEvent.click(screen.getByTestId('tab-today'));
    fireEvent.click(await screen.findByTestId(`refund-${receipt(1)}`));
    fireEvent.click(await screen.findByTestId('refund-confirm'));
    await waitFor(() => expect(screen.getByTestId('refund-problem').textContent).toBe(`退款失败：${ERRORS.REFUND_DAY_PASSED.zh}`));
    expect(alarmOn()).toBe(true);
  });
});
