import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { refundFenOf } from '../src/screens/Disputes';
import { fakeApi, receipt, session, type FakeRequest } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

const OPEN = {
  receiptNo: receipt(1),
  status: 'submitted',
  reason: 'not_received',
  description: '付了钱没有拿到饭',
  amountFen: 1_250,
  merchantName: '第一食堂',
  chargedAt: '2026-11-30T04:10:00.000Z',
  createdAt: '2026-11-30T05:00:00.000Z',
  accountNo: '20230001',
  merchantId: 'M001',
  terminalId: 'POS-M001-01',
  terminalPlace: '一楼 3 号窗口',
} as const;
const REFUSED = {
  ...OPEN,
  receiptNo: receipt(2),
  status: 'refused',
  reason: 'charged_twice',
  description: '扣了两次',
  resolvedAt: '2026-11-30T08:00:00.000Z',
  resolution: '只有一笔扣款',
  resolvedBy: 'fin.zhao',
} as const;

/** Disputes that move to resolved when decided. */
function disputesApi(extra: Parameters<typeof fakeApi>[0] = {}) {
  let open: Record<string, unknown>[] = [OPEN];
  let resolved: Record<string, unknown>[] = [REFUSED];
  const decided = (request: FakeRequest, change: Record<string, unknown>) => {
    const dispute: Record<string, unknown> = { ...open.find((d) => d.receiptNo === request.path.split('/')[4])!, resolvedAt: '2026-12-01T02:00:00.000Z', resolvedBy: 'clerk.li', resolution: (request.body as { reason: string }).reason, ...change };
    open = open.filter((d) => d.receiptNo !== dispute.receiptNo);
    resolved = [dispute, ...resolved];
    return dispute;
  };
  return fakeApi({
    'GET /v1/admin/disputes': (request) => ({ status: 200, body: { disputes: request.query.state === 'resolved' ? resolved : open, openCount: open.length } }),
    'POST /v1/admin/disputes/{receiptNo}/refund': (request) => {
      const amountFen = (request.body as { amountFen?: number }).amountFen ?? OPEN.amountFen;
      const dispute = decided(request, { status: 'refunded', refundFen: amountFen, refundReceiptNo: receipt(9) });
      return { status: 200, body: { dispute, refund: { refundReceiptNo: receipt(9), amountFen, balanceFen: 5_000 }, replayed: false } };
    },
    'POST /v1/admin/disputes/{receiptNo}/refusal': (request) => ({ status: 200, body: { dispute: decided(request, { status: 'refused' }), replayed: false } }),
    ...extra,
  });
}

describe('disputes (争议处理)', { timeout: 30_000 }, () => {
  it('is in the menu of every role the list route allows; the auditor reads it with no decision to make', async () => {
    renderConsole(disputesApi(), { path: '/disputes', session: session('finance') });
    expect((await screen.findByTestId('menu-disputes')).textContent).toBe('争议处理');
    expect((await screen.findByTestId(`dispute-refund-${OPEN.receiptNo}`) as HTMLButtonElement).disabled).toBe(false);
    cleanup();
    renderConsole(disputesApi(), { path: '/disputes', session: session('auditor') });
    expect((await screen.findByTestId('menu-disputes')).textContent).toBe('争议处理');
    expect((await screen.findByTestId(`dispute-refund-${OPEN.receiptNo}`) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId(`dispute-refuse-${OPEN.receiptNo}`) as HTMLButtonElement).disabled).toBe(true);
  });

  it('lists open disputes with the payment, its merchant and terminal, the reason and the holder’s words', async () => {
    const api = disputesApi();
    renderConsole(api, { path: '/disputes', session: session('operator') });
    const row = await screen.findByTestId(`dispute-row-${OPEN.receiptNo}`);
    for (const text of ['¥12.50', '第一食堂', 'POS-M001-01', '一楼 3 号窗口', '未收到商品', '付了钱没有拿到饭', '待处理']) expect(row.textContent).toContain(text);
    await waitFor(() => expect(screen.getByTestId('disputes-tab-open').dataset.count).toBe('1'));
    expect(api.sent('GET /v1/admin/disputes')[0]!.query).toMatchObject({ state: 'open' });
    fireEvent.click(screen.getByTestId('disputes-tab-resolved'));
    const refused = await screen.findByTestId(`dispute-row-${REFUSED.receiptNo}`);
    expect(within(refused).getByTestId(`dispute-status-${REFUSED.receiptNo}`).textContent).toContain('只有一笔扣款');
    expect(refused.textContent).toContain('fin.zhao');
    expect(within(refused).queryByTestId(`dispute-refund-${REFUSED.receiptNo}`)).toBeNull();
  });

  it('refunds the whole payment by default, with a reason; the list is read again', async () => {
    const api = disputesApi();
    renderConsole(api, { path: '/disputes', session: session('operator') });
    fireEvent.click(await screen.findByTestId(`dispute-refund-${OPEN.receiptNo}`));
    expect((await screen.findByTestId('reason-summary')).textContent).toContain('商户调整');
    expect((screen.getByTestId('dispute-amount') as HTMLInputElement).value).toBe('12.50');
    expect((screen.getByTestId('reason-confirm') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '商户确认未出餐' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    await waitFor(() => expect(screen.queryByTestId(`dispute-row-${OPEN.receiptNo}`)).toBeNull());
    expect(api.sent(`POST /v1/admin/disputes/${OPEN.receiptNo}/refund`)[0]!.body).toEqual({ reason: '商户确认未出餐' });
    expect(api.sent('GET /v1/admin/disputes')).toHaveLength(2);
    await waitFor(() => expect(screen.getByTestId('disputes-tab-open').dataset.count).toBe('0'));
  });

  it('a part of it; an amount above the payment keeps confirm off and says why', async () => {
    const api = disputesApi();
    renderConsole(api, { path: '/disputes', session: session('operator') });
    fireEvent.click(await screen.findByTestId(`dispute-refund-${OPEN.receiptNo}`));
    fireEvent.change(await screen.findByTestId('reason-input'), { target: { value: '部分退款' } });
    fireEvent.change(screen.getByTestId('dispute-amount'), { target: { value: '12.51' } });
    expect(screen.getByTestId('dispute-amount-problem').textContent).toContain('12.50');
    expect((screen.getByTestId('reason-confirm') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('dispute-amount'), { target: { value: '5' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    await waitFor(() => expect(api.sent(`POST /v1/admin/disputes/${OPEN.receiptNo}/refund`)).toHaveLength(1));
    expect(api.sent(`POST /v1/admin/disputes/${OPEN.receiptNo}/refund`)[0]!.body).toEqual({ amountFen: 500, reason: '部分退款' });
  });

  it('refuses with a reason; a refusal of the server stays in the dialog in its words', async () => {
    const api = disputesApi({ 'POST /v1/admin/disputes/{receiptNo}/refusal': () => ({ refuse: 'DISPUTE_ALREADY_RESOLVED' }) });
    renderConsole(api, { path: '/disputes', session: session('finance') });
    fireEvent.click(await screen.findByTestId(`dispute-refuse-${OPEN.receiptNo}`));
    expect((await screen.findByTestId('reason-summary')).textContent).toContain('显示给持卡人');
    expect(screen.queryByTestId('dispute-amount')).toBeNull();
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '监控显示已取餐' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    expect((await screen.findByTestId('reason-error')).textContent).toBe(ERRORS.DISPUTE_ALREADY_RESOLVED.zh);
    expect(api.sent(`POST /v1/admin/disputes/${OPEN.receiptNo}/refusal`)[0]!.body).toEqual({ reason: '监控显示已取餐' });
    expect(api.sent('GET /v1/admin/disputes')).toHaveLength(1);
  });

  it('the reconciliation queue says how many disputes wait, with a link here', async () => {
    const api = disputesApi({
      'GET /v1/admin/reconciliation-queue': () => ({ status: 200, body: { items: [], counts: { frozen_account: 0, held_offline: 0, finding: 0, stuck_pending: 0 }, findingsBySource: {}, stuckPendingByKind: {}, openDisputes: 1 } }),
    });
    renderConsole(api, { path: '/findings', session: session('operator') });
    const link = await screen.findByTestId('queue-open-disputes');
    expect(link.dataset.count).toBe('1');
    expect(link.textContent).toContain('争议处理 1');
    fireEvent.click(link);
    expect(await screen.findByTestId(`dispute-row-${OPEN.receiptNo}`)).toBeTruthy();
  });

  it('reads a refund amount in yuan, within the payment', () => {
    expect(refundFenOf('12.50', 1_250)).toBe(1_250);
    expect(refundFenOf(' 3 ', 1_250)).toBe(300);
    expect(refundFenOf('12.51', 1_250)).toBeUndefined();
    expect(refundFenOf('0', 1_250)).toBeUndefined();
    expect(refundFenOf('abc', 1_250)).toBeUndefined();
    expect(refundFenOf('1.234', 1_250)).toBeUndefined();
  });
});
