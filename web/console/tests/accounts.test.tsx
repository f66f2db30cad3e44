import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { ACCOUNT, fakeApi, receipt, session, type FakeApi } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

function adjustingApi(): FakeApi {
  return fakeApi({
    'POST /v1/admin/accounts/{accountNo}/adjustments': (request) => {
      const { direction, amountFen } = request.body as { direction: string; amountFen: number };
      if (direction === 'debit' && amountFen > ACCOUNT.balanceFen) return { refuse: 'INSUFFICIENT_BALANCE' };
      return { status: 200, body: { receiptNo: receipt(7), direction, amountFen, balanceFen: ACCOUNT.balanceFen + (direction === 'credit' ? amountFen : -amountFen), replayed: false } };
    },
  });
}

async function openAccount(api: FakeApi, role: Parameters<typeof session>[0] = 'operator') {
  renderConsole(api, { path: '/accounts', session: session(role) });
  fireEvent.change(await screen.findByTestId('account-search-input'), { target: { value: ` ${ACCOUNT.accountNo} ` } });
  fireEvent.click(screen.getByTestId('account-search-submit'));
  await screen.findByTestId('account-holder');
}

async function openAdjust(amount: string, reason: string) {
  fireEvent.click(screen.getByTestId('action-adjust'));
  fireEvent.change(await screen.findByTestId('action-field-amount'), { target: { value: amount } });
  fireEvent.change(screen.getByTestId('action-reason'), { target: { value: reason } });
  fireEvent.click(screen.getByTestId('action-confirm'));
}

describe('accounts', { timeout: 30_000 }, () => {
  it('search by account number opens the account page: holder, masked ID, status, the three purses, cards', async () => {
    const api = fakeApi();
    await openAccount(api);
    expect(screen.getByTestId('account-holder').textContent).toBe('张小明');
    expect(screen.getByTestId('account-id-masked').textContent).toBe('身份证 1101**********123X');
    expect(screen.getByTestId('account-status').textContent).toBe('正常');
    expect(screen.getByTestId('purse-balance').dataset.fen).toBe('12345');
    expect(screen.getByTestId('purse-transitional').dataset.fen).toBe('500');
    expect(screen.getByTestId('purse-small-wallet').dataset.fen).toBe('0');
    expect(document.body.textContent).toContain('123.45');
    expect(within(screen.getByTestId('account-cards')).getByText('04A1****D4')).toBeTruthy();
    expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}`)[0]!.headers.authorization).toBe('Bearer aaa.bbb.ccc');
    // An active account has nothing to unfreeze.
    expect((screen.getByTestId('action-unfreeze') as HTMLButtonElement).disabled).toBe(true);
  });

  it('the search finds by what the API offers; several matches are listed and one opens', async () => {
    const api = fakeApi({
      'GET /v1/admin/accounts': () => ({
        status: 200,
        body: {
          accounts: [
            { accountNo: ACCOUNT.accountNo, holderNameMasked: '张*明', personId: ACCOUNT.personId, status: 'active', balanceFen: ACCOUNT.balanceFen, matchedBy: ['name'] },
            { accountNo: '20230002', holderNameMasked: '张*', personId: 'S2023002', status: 'frozen', balanceFen: 0, matchedBy: ['name'] },
          ],
          truncated: false,
        },
      }),
    });
    renderConsole(api, { path: '/accounts', session: session() });
    fireEvent.change(await screen.findByTestId('account-search-input'), { target: { value: ' 张 ' } });
    fireEvent.click(screen.getByTestId('account-search-submit'));
    const results = await screen.findByTestId('account-search-results');
    expect(within(results).getByText('张*')).toBeTruthy();
    expect(api.sent('GET /v1/admin/accounts')[0]!.query).toEqual({ query: '张' });
    fireEvent.click(screen.getByTestId(`account-result-${ACCOUNT.accountNo}`));
    expect((await screen.findByTestId('account-holder')).textContent).toBe('张小明');
  });

  it('no match says so; an API without the search still opens an account by number, and an unknown one is refused in its words', async () => {
    const api = fakeApi();
    renderConsole(api, { path: '/accounts', session: session() });
    fireEvent.change(await screen.findByTestId('account-search-input'), { target: { value: '李四' } });
    fireEvent.click(screen.getByTestId('account-search-submit'));
    expect((await screen.findByTestId('account-search-results')).textContent).toContain('没有找到匹配的账户');
    delete api.handlers['GET /v1/admin/accounts'];
    fireEvent.change(screen.getByTestId('account-search-input'), { target: { value: '99999999' } });
    fireEvent.click(screen.getByTestId('account-search-submit'));
    expect((await screen.findByTestId('account-error')).textContent).toBe(ERRORS.ACCOUNT_NOT_FOUND.zh);
  });

  it('an adjustment sends its amount in fen and its reason, and shows the server’s answer', async () => {
    const api = adjustingApi();
    await openAccount(api);
    await openAdjust('10.50', '补录漏记的现金充值');
    const result = await screen.findByTestId('action-result');
    expect(within(result).getByTestId('result-receiptNo').textContent).toBe(receipt(7));
    expect(within(result).getByTestId('result-balanceFen').textContent).toBe('¥133.95');
    const [sent] = api.sent(`POST /v1/admin/accounts/${ACCOUNT.accountNo}/adjustments`);
    expect(sent!.body).toMatchObject({ direction: 'credit', amountFen: 1_050, reason: '补录漏记的现金充值' });
    expect(sent!.body!.adjustmentId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    // Closing reloads the account.
    const loads = api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}`).length;
    fireEvent.click(screen.getByTestId('action-close'));
    await waitFor(() => expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}`).length).toBe(loads + 1));
  });

  it('no reason, no request; a bad amount, no request', async () => {
    const api = adjustingApi();
    await openAccount(api);
    await openAdjust('10', ' ');
    expect((await screen.findByTestId('action-error')).textContent).toContain('请写明原因');
    fireEvent.change(screen.getByTestId('action-field-amount'), { target: { value: '10.555' } });
    fireEvent.change(screen.getByTestId('action-reason'), { target: { value: '补录' } });
    fireEvent.click(screen.getByTestId('action-confirm'));
    await waitFor(() => expect(screen.getByTestId('action-error').textContent).toContain('金额格式有误'));
    expect(api.sent(`POST /v1/admin/accounts/${ACCOUNT.accountNo}/adjustments`)).toEqual([]);
  });

  it('a refusal is shown in Chinese in the dialog, which stays open to correct it', async () => {
    const api = fakeApi({ 'POST /v1/admin/accounts/{accountNo}/adjustments': () => ({ refuse: 'INSUFFICIENT_BALANCE' }) });
    await openAccount(api);
    await openAdjust('999', '扣回重复充值');
    expect((await screen.findByTestId('action-error')).textContent).toBe(ERRORS.INSUFFICIENT_BALANCE.zh);
    expect(screen.getByTestId('action-confirm')).toBeTruthy();
  });

  it('a 403 is shown as 无权限 with the server’s words', async () => {
    const api = fakeApi({ 'POST /v1/admin/accounts/{accountNo}/adjustments': () => ({ refuse: 'FORBIDDEN' }) });
    await openAccount(api);
    await openAdjust('5', '测试权限');
    const error = await screen.findByTestId('action-error');
    expect(error.textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
    expect(error.dataset.code).toBe('FORBIDDEN');
  });

  it('a 403 on the account page itself is 无权限 too', async () => {
    const api = fakeApi({ 'GET /v1/admin/accounts/{accountNo}': () => ({ refuse: 'FORBIDDEN' }) });
    renderConsole(api, { path: `/accounts/${ACCOUNT.accountNo}`, session: session() });
    expect((await screen.findByTestId('account-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
  });

  it('unfreezes a frozen account with its reason', async () => {
    let status = 'frozen';
    const api = fakeApi({
      'GET /v1/admin/accounts/{accountNo}': () => ({ status: 200, body: { ...ACCOUNT, status } }),
      'POST /v1/admin/accounts/{accountNo}/unfreeze': () => {
        status = 'active';
        return { status: 200, body: { accountNo: ACCOUNT.accountNo, status: 'active', previousStatus: 'frozen' } };
      },
    });
    await openAccount(api);
    expect(screen.getByTestId('account-status').textContent).toBe('冻结');
    fireEvent.click(screen.getByTestId('action-unfreeze'));
    fireEvent.change(await screen.findByTestId('action-reason'), { target: { value: '对账无误，解冻' } });
    fireEvent.click(screen.getByTestId('action-confirm'));
    expect((await screen.findByTestId('result-previousStatus')).textContent).toBe('冻结');
    expect(api.sent(`POST /v1/admin/accounts/${ACCOUNT.accountNo}/unfreeze`)[0]!.body).toEqual({ reason: '对账无误，解冻' });
    fireEvent.click(screen.getByTestId('action-close'));
    await waitFor(() => expect(screen.getByTestId('account-status').textContent).toBe('正常'));
  });

  it('an auditor reads the account; every action is off, as its contract’s roles say', async () => {
    await openAccount(fakeApi(), 'auditor');
    expect(screen.getByTestId('read-only')).toBeTruthy();
    for (const key of ['unfreeze', 'password', 'adjust', 'level', 'terminate']) expect((screen.getByTestId(`action-${key}`) as HTMLButtonElement).disabled).toBe(true);
  });
});
