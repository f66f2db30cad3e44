import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { fakeApi, session } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

const MERCHANT = { merchantId: 'M001', name: '第一食堂', category: 'canteen', status: 'active', feeRateBps: 50, settlementPeriod: 'weekly', createdAt: '2026-09-01T00:00:00.000Z' };
const CODE = 'K7QM-3XTR-9BWD-2HFN';

function terminalsApi(extra: Parameters<typeof fakeApi>[0] = {}) {
  const merchants: Record<string, unknown>[] = [{ ...MERCHANT, settlementAccount: { bankName: '中国工商银行', accountName: '第一食堂餐饮', masked: '6222 **** **** 1234' } }];
  const terminals: Record<string, unknown>[] = [{ terminalId: 'POS-M001-01', merchantId: 'M001', place: '第一食堂 1F 窗口 1', kind: 'pos', status: 'active', createdAt: '2026-09-01T00:00:00.000Z', activatedAt: '2026-09-01T01:00:00.000Z' }];
  return fakeApi({
    'GET /v1/admin/merchants': () => ({ status: 200, body: { merchants } }),
    'POST /v1/admin/merchants': (request) => {
      const body = request.body as { merchantId: string; name: string; category: string; feeRateBps: number; settlementPeriod: string; settlementAccount: { bankName: string; accountName: string; accountNumber: string } };
      if (merchants.some((m) => m.merchantId === body.merchantId)) return { refuse: 'MERCHANT_EXISTS' };
      const { bankName, accountName, accountNumber } = body.settlementAccount;
      const merchant = { merchantId: body.merchantId, name: body.name, category: body.category, status: 'active', feeRateBps: body.feeRateBps, settlementPeriod: body.settlementPeriod, settlementAccount: { bankName, accountName, masked: `${accountNumber.slice(0, 4)} **** **** ${accountNumber.slice(-4)}` }, createdAt: '2026-12-01T02:00:00.000Z' };
      merchants.push(merchant);
      return { status: 201, body: merchant };
    },
    'POST /v1/admin/merchants/{merchantId}/suspension': () => {
      if (merchants[0]!.status === 'suspended') return { refuse: 'MERCHANT_STATUS_UNCHANGED' };
      merchants[0] = { ...merchants[0], status: 'suspended' };
      return { status: 200, body: merchants[0] };
    },
    'POST /v1/admin/merchants/{merchantId}/reactivation': () => {
      merchants[0] = { ...merchants[0], status: 'active' };
      return { status: 200, body: merchants[0] };
    },
    'POST /v1/admin/merchants/{merchantId}/settlement-account-check': (request) => ({
      status: 200,
      body: { merchantId: 'M001', matches: (request.body as { accountNumber: string }).accountNumber === '6222020200001234', masked: '6222 **** **** 1234' },
    }),
    'GET /v1/admin/merchants/{merchantId}/terminals': () => ({ status: 200, body: { terminals } }),
    'POST /v1/admin/terminals': (request) => {
      const body = request.body as { terminalId: string; place: string; kind: string };
      if (terminals.some((t) => t.terminalId === body.terminalId)) return { refuse: 'TERMINAL_EXISTS' };
      const terminal = { terminalId: body.terminalId, merchantId: 'M001', place: body.place, kind: body.kind, status: 'pending_activation', createdAt: '2026-12-01T02:00:00.000Z', activationExpiresAt: '2026-12-02T02:00:00.000Z' };
      terminals.push(terminal);
      return { status: 201, body: { terminal, activationCode: CODE, activationExpiresAt: '2026-12-02T02:00:00.000Z' } };
    },
    ...extra,
  });
}

async function register(terminalId: string) {
  // The button is there before the merchant's terminals have loaded, disabled until then: a click
  // that early opens nothing.
  const button = (await screen.findByTestId('terminal-register')) as HTMLButtonElement;
  await waitFor(() => expect(button.disabled).toBe(false));
  await within(await screen.findByTestId('terminals-table')).findByText('POS-M001-01');
  fireEvent.click(button);
  fireEvent.change(await screen.findByTestId('terminal-field-terminalId'), { target: { value: terminalId } });
  fireEvent.change(screen.getByTestId('terminal-field-place'), { target: { value: '第一食堂 2F 窗口 3' } });
  fireEvent.change(screen.getByTestId('terminal-reason'), { target: { value: '新开窗口' } });
  fireEvent.click(screen.getByTestId('terminal-confirm'));
}

describe('merchants and terminals', { timeout: 30_000 }, () => {
  it('registers a terminal and shows its one-time code once; closed, it is gone from the page', async () => {
    const api = terminalsApi();
    renderConsole(api, { path: '/terminals', session: session('operator') });
    expect(await within(await screen.findByTestId('terminals-table')).findByText('POS-M001-01')).toBeTruthy();
    await register('POS-M001-03');
    expect((await screen.findByTestId('activation-code')).textContent).toBe(CODE);
    expect(api.sent('POST /v1/admin/terminals')[0]!.body).toEqual({ terminalId: 'POS-M001-03', merchantId: 'M001', place: '第一食堂 2F 窗口 3', kind: 'pos', reason: '新开窗口' });
    fireEvent.click(screen.getByTestId('activation-close'));
    await waitFor(() => expect(document.body.textContent).not.toContain(CODE));
    expect(within(screen.getByTestId('terminals-table')).getByText('POS-M001-03')).toBeTruthy();
  });

  it('a terminal id taken is refused in the server’s words; finance may not register', async () => {
    renderConsole(terminalsApi(), { path: '/terminals', session: session('operator') });
    await register('POS-M001-01');
    expect((await screen.findByTestId('terminal-error')).textContent).toBe(ERRORS.TERMINAL_EXISTS.zh);
    cleanup();
    renderConsole(terminalsApi(), { path: '/terminals', session: session('finance') });
    await within(await screen.findByTestId('terminals-table')).findByText('POS-M001-01');
    expect((screen.getByTestId('terminal-register') as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('merchants', { timeout: 30_000 }, () => {
  it('finance registers a merchant with its terms and settlement account; the new one is selected', async () => {
    const api = terminalsApi();
    renderConsole(api, { path: '/terminals', session: session('finance', 'fin.zhao') });
    await screen.findByTestId('merchant-row-M001');
    fireEvent.click(screen.getByTestId('merchant-register'));
    const fill = (field: string, value: string) => fireEvent.change(screen.getByTestId(`merchant-field-${field}`), { target: { value } });
    await screen.findByTestId('merchant-field-merchantId');
    fill('merchantId', 'SHOP2');
    fill('name', '第二超市');
    fill('fee', '0.8');
    fill('bankName', '中国银行');
    fill('accountName', '第二超市有限公司');
    fill('accountNumber', '6217 0000 1111 2222');
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '新签商户合同' } });
    const confirm = screen.getByTestId('reason-confirm') as HTMLButtonElement;
    fill('fee', '12');
    await waitFor(() => expect(confirm.disabled).toBe(true)); // above 10%: the API would refuse it
    fill('fee', '0.8');
    await waitFor(() => expect(confirm.disabled).toBe(false));
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.getByTestId('merchant-detail').textContent).toContain('第二超市（SHOP2）'));
    expect(screen.getByTestId('merchant-detail').textContent).toContain('0.80%');
    expect(api.sent('POST /v1/admin/merchants')[0]!.body).toEqual({
      merchantId: 'SHOP2',
      name: '第二超市',
      category: 'canteen',
      settlementPeriod: 'weekly',
      feeRateBps: 80,
      settlementAccount: { bankName: '中国银行', accountName: '第二超市有限公司', accountNumber: '6217000011112222' },
      reason: '新签商户合同',
    });
  });

  it('suspends and reactivates a merchant with a reason; a status already so is refused in the server’s words', async () => {
    const api = terminalsApi();
    renderConsole(api, { path: '/terminals', session: session('finance', 'fin.zhao') });
    fireEvent.click(await screen.findByTestId('merchant-suspend'));
    fireEvent.change(await screen.findByTestId('reason-input'), { target: { value: '卫生检查不合格' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    fireEvent.click(await screen.findByTestId('merchant-reactivate'));
    expect(api.sent('POST /v1/admin/merchants/M001/suspension')[0]!.body).toEqual({ reason: '卫生检查不合格' });
    expect(within(screen.getByTestId('merchant-row-M001')).getByText('已暂停')).toBeTruthy();
    fireEvent.change(await screen.findByTestId('reason-input'), { target: { value: '整改完成' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    await screen.findByTestId('merchant-suspend');
    expect(api.sent('POST /v1/admin/merchants/M001/reactivation')[0]!.body).toEqual({ reason: '整改完成' });
    cleanup();
    renderConsole(terminalsApi({ 'POST /v1/admin/merchants/{merchantId}/suspension': () => ({ refuse: 'MERCHANT_STATUS_UNCHANGED' }) }), { path: '/terminals', session: session('finance') });
    fireEvent.click(await screen.findByTestId('merchant-suspend'));
    fireEvent.change(await screen.findByTestId('reason-input'), { target: { value: '重复操作' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    expect((await screen.findByTestId('reason-error')).textContent).toBe(ERRORS.MERCHANT_STATUS_UNCHANGED.zh);
  });

  it('checks an account number against the settlement account; the counter may not manage merchants', async () => {
    const api = terminalsApi();
    renderConsole(api, { path: '/terminals', session: session('finance', 'fin.zhao') });
    fireEvent.click(await screen.findByTestId('merchant-check'));
    fireEvent.change(await screen.findByTestId('merchant-check-number'), { target: { value: '6222 0202 0000 9999' } });
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '商户来电变更账户' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    expect((await screen.findByTestId('merchant-check-result')).getAttribute('data-matches')).toBe('false');
    expect(api.sent('POST /v1/admin/merchants/M001/settlement-account-check')[0]!.body).toEqual({ accountNumber: '6222020200009999', reason: '商户来电变更账户' });
    cleanup();
    renderConsole(terminalsApi(), { path: '/terminals', session: session('operator') });
    await screen.findByTestId('merchant-detail');
    for (const id of ['merchant-register', 'merchant-suspend', 'merchant-check']) expect((screen.getByTestId(id) as HTMLButtonElement).disabled).toBe(true);
  });
});
