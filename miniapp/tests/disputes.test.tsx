/** Disputing a payment from its receipt (issue 18): the form by the server's contract, and the receipt page's dispute part in jsdom. */
import { act, cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDispute, mayDispute } from '../src/lib/disputes';
import { answerRequests, resetTaro, setRouterParams, type RequestAnswer } from './taro-shim';

const RECEIPT = '01KB0000000000000000000001';

beforeEach(() => resetTaro());
afterEach(() => cleanup());

describe('the dispute form', () => {
  it('only a payment offers it', () => {
    expect(mayDispute({ type: 'purchase' })).toBe(true);
    expect(mayDispute({ type: 'topup' })).toBe(false);
    expect(mayDispute({ type: 'refund' })).toBe(false);
  });

  it('sends the description trimmed; says what is missing in words', () => {
    expect(checkDispute(RECEIPT, { reason: 'charged_twice', description: '  扣了两次 ' })).toEqual({ ok: true, request: { receiptNo: RECEIPT, reason: 'charged_twice', description: '扣了两次' } });
    expect(checkDispute(RECEIPT, { description: '扣了两次' })).toEqual({ ok: false, errors: { reason: 'dispute.invalid.reason' } });
    expect(checkDispute(RECEIPT, { reason: 'other', description: ' ' })).toEqual({ ok: false, errors: { description: 'dispute.invalid.description' } });
    expect(checkDispute(RECEIPT, { reason: 'other', description: '长'.repeat(201) })).toEqual({ ok: false, errors: { description: 'dispute.invalid.description' } });
  });
});

const payment = {
  receiptNo: RECEIPT,
  type: 'purchase',
  amountFen: 1_250,
  delta: { balanceFen: -1_250, transitionalFen: 0, smallWalletFen: 0 },
  after: { balanceFen: 8_750, transitionalFen: 0, smallWalletFen: 0 },
  channel: 'pos',
  merchantId: 'M001',
  merchantName: '第一食堂',
  terminalId: 'POS-M001-01',
  createdAt: '2026-11-30T04:10:00.000Z',
  campusDay: '2026-11-30',
};
const NOT_FOUND = { statusCode: 404, header: {}, data: { code: 'DISPUTE_NOT_FOUND', message: { zh: '找不到该争议', en: 'No such dispute' } } };

describe('the receipt page', () => {
  async function receiptPage(answer: (request: { url: string; method: string; data?: unknown }) => RequestAnswer | undefined) {
    const store = await import('../src/lib/store');
    store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
    setRouterParams({ receiptNo: RECEIPT });
    answerRequests(async (request) => {
      if (request.url.endsWith(`/v1/holder/ledger/${RECEIPT}`)) return { statusCode: 200, header: {}, data: payment };
      return answer(request) ?? { statusCode: 404, header: {}, data: { code: 'ROUTE_NOT_FOUND', message: { zh: '接口不存在', en: 'No such endpoint' } } };
    });
    const { default: Receipt } = await import('../src/pages/receipt/index');
    return render(<Receipt />);
  }

  it('raises a dispute with a reason and a description, and shows it submitted; a refusal shows the server’s words', async () => {
    const sent: unknown[] = [];
    let refuse = true;
    const view = await receiptPage((request) => {
      if (request.method === 'GET' && request.url.endsWith(`/v1/holder/disputes/${RECEIPT}`)) return NOT_FOUND;
      if (request.method === 'POST' && request.url.endsWith('/v1/holder/disputes')) {
        sent.push(request.data);
        if (refuse) return { statusCode: 409, header: {}, data: { code: 'DISPUTE_WINDOW_PASSED', message: { zh: '只能对 30 天内的消费提出争议，请到卡务中心办理', en: '…' }, params: { days: 30 } } };
        return { statusCode: 201, header: {}, data: { receiptNo: RECEIPT, status: 'submitted', reason: 'not_received', description: '没拿到饭', amountFen: 1_250, merchantName: '第一食堂', chargedAt: payment.createdAt, createdAt: '2026-11-30T05:00:00.000Z' } };
      }
      return undefined;
    });
    const open = await waitFor(() => {
      const button = view.container.querySelector('#dispute-open');
      expect(button).not.toBeNull();
      return button!;
    });
    fireEvent.click(open);
    fireEvent.click(view.container.querySelector('#dispute-submit')!);
    await waitFor(() => expect(view.container.querySelector('#dispute')?.textContent).toContain('请选择一个原因'));
    expect(sent).toEqual([]);
    fireEvent.click(view.container.querySelector('#dispute-reason-not_received')!);
    // Taro's Textarea is a web component: it reports typing as an input event with the value in its detail.
    const input = view.container.querySelector('#dispute-description-input')!;
    await act(async () => void input.dispatchEvent(new CustomEvent('input', { detail: { value: ' 没拿到饭 ' }, bubbles: true })));
    fireEvent.click(view.container.querySelector('#dispute-submit')!);
    await waitFor(() => expect(view.container.querySelector('#dispute')?.textContent).toContain('只能对 30 天内的消费提出争议'));
    refuse = false;
    fireEvent.click(view.container.querySelector('#dispute-submit')!);
    await waitFor(() => expect(view.container.querySelector('#dispute-status')?.getAttribute('data-status')).toBe('submitted'));
    expect(view.container.querySelector('#dispute')?.textContent).toContain('争议已提交');
    expect(sent.at(-1)).toEqual({ receiptNo: RECEIPT, reason: 'not_received', description: '没拿到饭' });
  });

  it('shows a decided dispute: refunded with the amount, and the card centre’s answer', async () => {
    const view = await receiptPage((request) =>
      request.url.endsWith(`/v1/holder/disputes/${RECEIPT}`)
        ? {
            statusCode: 200,
            header: {},
            data: { receiptNo: RECEIPT, status: 'refunded', reason: 'charged_twice', description: '扣了两次', amountFen: 1_250, chargedAt: payment.createdAt, createdAt: '2026-11-30T05:00:00.000Z', resolvedAt: '2026-11-30T08:00:00.000Z', resolution: '商户确认重复扣款', refundFen: 1_250, refundReceiptNo: '01KB0000000000000000000009' },
          }
        : undefined,
    );
    await waitFor(() => expect(view.container.querySelector('#dispute-status')?.getAttribute('data-status')).toBe('refunded'));
    const text = view.container.querySelector('#dispute')!.textContent!;
    expect(text).toContain('已退款');
    expect(text).toContain('退款 ¥12.50');
    expect(text).toContain('商户确认重复扣款');
    expect(view.container.querySelector('#dispute-open')).toBeNull();
  });
});
