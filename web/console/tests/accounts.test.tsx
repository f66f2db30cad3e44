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

const confirmOff = () => (screen.getByTestId('action-confirm') as HTMLButtonElement).disabled;

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

  it('no reason or no amount, no confirm; a bad amount, no request', async () => {
    const api = adjustingApi();
    await openAccount(api);
    await openAdjust('10', ' ');
    expect(screen.getByTestId('action-summary').textContent).toBe('按所填金额调增或调减账户余额，记入流水。');
    expect(confirmOff()).toBe(true);
    fireEvent.change(screen.getByTestId('action-field-amount'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('action-reason'), { target: { value: '补录' } });
    expect(confirmOff()).toBe(true);
    fireEvent.change(screen.getByTestId('action-field-amount'), { target: { value: '10.555' } });
    expect(confirmOff()).toBe(false);
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
    for (const key of ['loss', 'unfreeze', 'password', 'adjust', 'level', 'terminate']) expect((screen.getByTestId(`action-${key}`) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('the account page', { timeout: 30_000 }, () => {
  it('reports the card lost at the counter with a reason, and the page shows it lost', async () => {
    let status = 'active';
    const api = fakeApi({
      'GET /v1/admin/accounts/{accountNo}': () => ({ status: 200, body: { ...ACCOUNT, status } }),
      'POST /v1/admin/accounts/{accountNo}/loss': () => {
        status = 'lost';
        return { status: 200, body: { accountNo: ACCOUNT.accountNo, status: 'lost', changed: true } };
      },
    });
    await openAccount(api);
    fireEvent.click(screen.getByTestId('action-loss'));
    expect((await screen.findByTestId('action-summary')).textContent).toContain('立即挂失');
    fireEvent.change(screen.getByTestId('action-reason'), { target: { value: '本人到柜台，卡丢在食堂' } });
    fireEvent.click(screen.getByTestId('action-confirm'));
    expect((await screen.findByTestId('result-changed')).textContent).toBe('是');
    expect(api.sent(`POST /v1/admin/accounts/${ACCOUNT.accountNo}/loss`)[0]!.body).toEqual({ reason: '本人到柜台，卡丢在食堂' });
    fireEvent.click(screen.getByTestId('action-close'));
    await waitFor(() => expect(screen.getByTestId('account-status').dataset.status).toBe('lost'));
    // Lost: nothing more to report, and it can be unfrozen.
    expect((screen.getByTestId('action-loss') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('action-unfreeze') as HTMLButtonElement).disabled).toBe(false);
  });

  it('a frozen account’s loss report is refused in the server’s words', async () => {
    const api = fakeApi({ 'POST /v1/admin/accounts/{accountNo}/loss': () => ({ refuse: 'CARD_FROZEN' }) });
    await openAccount(api);
    fireEvent.click(screen.getByTestId('action-loss'));
    fireEvent.change(await screen.findByTestId('action-reason'), { target: { value: '本人到柜台' } });
    fireEvent.click(screen.getByTestId('action-confirm'));
    expect((await screen.findByTestId('action-error')).textContent).toBe(ERRORS.CARD_FROZEN.zh);
  });

  it('the recent ledger: entries with who posted them, filtered by type and days, a page more at a time', async () => {
    const entry = (n: number, type: string, balanceDelta: number, extra: Record<string, unknown> = {}) => ({
      receiptNo: receipt(n),
      type,
      amountFen: Math.abs(balanceDelta),
      delta: { balanceFen: balanceDelta, transitionalFen: 0, smallWalletFen: 0 },
      after: { balanceFen: 10_000 + balanceDelta, transitionalFen: 0, smallWalletFen: 0 },
      channel: 'admin',
      createdAt: `2026-11-2${n}T02:00:00.000Z`,
      campusDay: `2026-11-2${n}`,
      ...extra,
    });
    const api = fakeApi({
      'GET /v1/admin/accounts/{accountNo}/ledger': (request) =>
        request.query.cursor
          ? { status: 200, body: { accountNo: ACCOUNT.accountNo, entries: [entry(1, 'purchase', -850, { channel: 'pos', merchantName: '一食堂', terminalId: 'T001' })] } }
          : { status: 200, body: { accountNo: ACCOUNT.accountNo, entries: [entry(3, 'adjustment', 1_050, { operator: 'clerk.li', reason: '补录充值' })], nextCursor: receipt(3) } },
    });
    await openAccount(api);
    const row = await screen.findByTestId(`ledger-row-${receipt(3)}`);
    expect(row.textContent).toContain('调账');
    expect(row.textContent).toContain('+¥10.50');
    expect(row.textContent).toContain('clerk.li');
    expect(row.textContent).toContain('补录充值');
    expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/ledger`)[0]!.query).toEqual({ limit: '20' });

    fireEvent.click(screen.getByTestId('ledger-more'));
    const older = await screen.findByTestId(`ledger-row-${receipt(1)}`);
    expect(older.textContent).toContain('一食堂');
    expect(older.textContent).toContain('-¥8.50');
    expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/ledger`)[1]!.query.cursor).toBe(receipt(3));
    expect(screen.getByTestId(`ledger-row-${receipt(3)}`)).toBeTruthy();

    fireEvent.change(screen.getByTestId('ledger-from'), { target: { value: '2026-11-20' } });
    fireEvent.change(screen.getByTestId('ledger-to'), { target: { value: '2026-11-30' } });
    await waitFor(() => expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/ledger`).at(-1)!.query).toEqual({ from: '2026-11-20', to: '2026-11-30', limit: '20' }));
    // The new filter starts again from the newest page.
    await waitFor(() => expect(screen.queryByTestId(`ledger-row-${receipt(1)}`)).toBeNull());
  });

  it('an automatic reload’s entry says it was automatic, and on which platform', async () => {
    const api = fakeApi({
      'GET /v1/admin/accounts/{accountNo}/ledger': () => ({
        status: 200,
        body: {
          accountNo: ACCOUNT.accountNo,
          entries: [
            {
              receiptNo: receipt(4),
              type: 'topup',
              amountFen: 1_000,
              delta: { balanceFen: 1_000, transitionalFen: 0, smallWalletFen: 0 },
              after: { balanceFen: 6_000, transitionalFen: 0, smallWalletFen: 0 },
              channel: 'wechat',
              trigger: 'auto_reload',
              createdAt: '2026-11-24T02:00:00.000Z',
              campusDay: '2026-11-24',
            },
          ],
        },
      }),
    });
    await openAccount(api);
    expect((await screen.findByTestId(`ledger-row-${receipt(4)}`)).textContent).toContain('自动充值 · 微信支付');
  });

  it('the ledger’s type filter is sent as the route’s comma-separated list', async () => {
    const api = fakeApi();
    await openAccount(api);
    await screen.findByTestId('account-ledger');
    const select = screen.getByTestId('ledger-types');
    fireEvent.mouseDown(select.querySelector('.ant-select-selector') ?? select);
    fireEvent.click(await screen.findByTitle('充值'));
    fireEvent.click(await screen.findByTitle('调账'));
    await waitFor(() => expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/ledger`).at(-1)!.query.type).toBe('topup,adjustment'));
  });

  it('a range ending before it starts is refused here, and nothing is sent', async () => {
    const api = fakeApi();
    await openAccount(api);
    await screen.findByTestId('account-ledger');
    fireEvent.change(screen.getByTestId('ledger-from'), { target: { value: '2026-11-30' } });
    await waitFor(() => expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/ledger`).at(-1)!.query.from).toBe('2026-11-30'));
    const sent = api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/ledger`).length;
    fireEvent.change(screen.getByTestId('ledger-to'), { target: { value: '2026-11-01' } });
    expect((await screen.findByTestId('ledger-error')).dataset.code).toBe('VALIDATION_FAILED');
    expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/ledger`).length).toBe(sent);
  });

  it('open requests: a replacement waiting, a transitional balance, a locked password', async () => {
    const api = fakeApi({
      'GET /v1/admin/accounts/{accountNo}': () => ({
        status: 200,
        body: { ...ACCOUNT, passwords: [{ kind: 'query', set: true, isDefault: false, lockedUntil: '2026-12-01T08:00:00.000Z' }, ACCOUNT.passwords[1]] },
      }),
      'GET /v1/admin/card-replacements': () => ({
        status: 200,
        body: { requests: [{ requestId: receipt(9), accountNo: ACCOUNT.accountNo, kind: 'cpu', feeFen: 2_000, status: 'requested', requestedAt: '2026-12-01T01:00:00.000Z' }] },
      }),
    });
    await openAccount(api);
    await waitFor(() => expect(screen.getAllByTestId('open-request').map((item) => item.dataset.kind)).toEqual(['replacement', 'transitional', 'password-locked']));
    expect(screen.getByTestId('open-requests').textContent).toContain('¥20.00');
    expect(screen.getByTestId('open-requests').textContent).toContain('¥5.00');
    expect((screen.getByTestId('action-replacement') as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('the account’s history', { timeout: 30_000 }, () => {
  it('status changes, card events and device keys, each with who and why, newest first', async () => {
    const api = fakeApi({
      'GET /v1/admin/accounts/{accountNo}/history': () => ({
        status: 200,
        body: {
          accountNo: ACCOUNT.accountNo,
          status: [
            { at: '2026-11-20T03:00:00.000Z', from: 'frozen', to: 'active', by: 'clerk.li', reason: '对账无误，解冻' },
            { at: '2026-11-19T03:00:00.000Z', from: 'active', to: 'frozen', by: 'system', reason: 'card_database_mismatch' },
            { at: '2026-09-01T00:00:00.000Z', to: 'active', by: 'unrecorded' },
          ],
          cards: [{ cardId: 'C1', chipUid: '04A1B2C3D4', kind: 'cpu', event: 'replaced', at: '2026-11-18T02:00:00.000Z', by: 'admin', reason: '卡片损坏', feeFen: 2_000 }],
          deviceKeys: [
            { keyId: 2, registeredAt: '2026-11-01T00:00:00.000Z', status: 'active' },
            { keyId: 1, registeredAt: '2026-09-02T00:00:00.000Z', status: 'revoked', revokedAt: '2026-11-01T00:00:00.000Z' },
          ],
          actions: [],
        },
      }),
    });
    await openAccount(api);
    const status = await screen.findByTestId('account-status-history');
    await waitFor(() => expect(status.querySelectorAll('tbody tr.ant-table-row')).toHaveLength(3));
    const [unfrozen, frozen, opened] = [...status.querySelectorAll('tbody tr.ant-table-row')].map((row) => row.textContent ?? '');
    expect(unfrozen).toContain('冻结');
    expect(unfrozen).toContain('clerk.li');
    expect(unfrozen).toContain('对账无误，解冻');
    // Codes in words, and the older changes' "unrecorded" said as such.
    expect(frozen).toContain('系统');
    expect(frozen).toContain('卡库不符');
    expect(opened).toContain('未记录');
    fireEvent.click(screen.getByRole('tab', { name: '卡片记录' }));
    const cards = await screen.findByTestId('account-card-history');
    expect(cards.textContent).toContain('已补卡');
    expect(cards.textContent).toContain('04A1B2C3D4');
    expect(cards.textContent).toContain('¥20.00');
    // A staff username is shown as it is, even one that is also a word (the admin channel).
    expect(cards.textContent).toContain('admin');
    expect(cards.textContent).not.toContain('卡务中心');
    fireEvent.click(screen.getByRole('tab', { name: '设备密钥' }));
    const keys = await screen.findByTestId('account-device-keys');
    expect(keys.querySelectorAll('tbody tr.ant-table-row')).toHaveLength(2);
    expect(keys.textContent).toContain('已注销');
    expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/history`)).toHaveLength(1);
  });

  it('read again after an action', async () => {
    const api = fakeApi({ 'POST /v1/admin/accounts/{accountNo}/loss': () => ({ status: 200, body: { accountNo: ACCOUNT.accountNo, status: 'lost', changed: true } }) });
    await openAccount(api);
    await waitFor(() => expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/history`)).toHaveLength(1));
    fireEvent.click(screen.getByTestId('action-loss'));
    fireEvent.change(await screen.findByTestId('action-reason'), { target: { value: '本人到柜台' } });
    fireEvent.click(screen.getByTestId('action-confirm'));
    fireEvent.click(await screen.findByTestId('action-close'));
    await waitFor(() => expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/history`)).toHaveLength(2));
    expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/ledger`).length).toBeGreaterThanOrEqual(2);
  });

  it('a history the role may not read says 无权限; the rest of the page stays', async () => {
    const api = fakeApi({ 'GET /v1/admin/accounts/{accountNo}/history': () => ({ refuse: 'FORBIDDEN' }) });
    await openAccount(api);
    expect((await screen.findByTestId('history-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
    expect(screen.getByTestId('account-holder').textContent).toBe('张小明');
  });
});
