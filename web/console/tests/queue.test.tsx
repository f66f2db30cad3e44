import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { resolveReconciliationFinding, unfreezeAccount } from '@shared/api/admin';
import { ERRORS } from '@shared/errors';
import { resolveOfflineHoldRoute } from '@shared/api/console';
import { routeParams } from '../src/screens/Queue';
import { fakeApi, session, type FakeRequest } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

const HELD = `F${'b'.repeat(26)}`;
const FOUND = `F${'c'.repeat(26)}`;
const ITEMS = {
  frozen: {
    kind: 'frozen_account',
    id: '20230002',
    accountNo: '20230002',
    at: '2026-11-28T02:00:00.000Z',
    why: 'card_database_mismatch',
    resolve: { action: 'unfreeze_account', route: '/v1/admin/accounts/20230002/unfreeze' },
  },
  held: {
    kind: 'held_offline',
    id: HELD,
    accountNo: '20230003',
    at: '2026-11-29T02:00:00.000Z',
    amountFen: 850,
    why: 'insufficient_balance',
    source: 'offline_upload',
    ref: 'T001/42',
    resolve: { action: 'resolve_offline_hold', route: `/v1/admin/offline-holds/${HELD}/resolution` },
  },
  finding: {
    kind: 'finding',
    id: FOUND,
    accountNo: '20230001',
    at: '2026-11-30T02:00:00.000Z',
    amountFen: 5_000,
    why: 'missing_from_bill',
    source: 'wechat_bill',
    detail: 'credited, not on the bill',
    ref: '4200000001',
    resolve: { action: 'resolve_finding', route: `/v1/admin/reconciliation-findings/${FOUND}/resolution` },
  },
  stuck: {
    kind: 'stuck_pending',
    id: 'P01KB000000000000000000001',
    accountNo: '20230004',
    at: '2026-11-30T05:00:00.000Z',
    amountFen: 10_000,
    why: 'topup_order',
    pendingKind: 'topup_order',
    resolve: { action: 'run_reconciler', script: 'reconcile-topups' },
  },
} as const;

/** A queue that forgets an item once its route resolved it, and counts what is left. */
function queueApi(extra: Parameters<typeof fakeApi>[0] = {}) {
  let items: (typeof ITEMS)[keyof typeof ITEMS][] = [ITEMS.frozen, ITEMS.held, ITEMS.finding, ITEMS.stuck];
  const count = (kind: string) => items.filter((item) => item.kind === kind).length;
  const answer = (request: FakeRequest) => ({
    status: 200,
    body: {
      items: items.filter((item) => !request.query.kind || item.kind === request.query.kind),
      counts: { frozen_account: count('frozen_account'), held_offline: count('held_offline'), finding: count('finding'), stuck_pending: count('stuck_pending') },
      findingsBySource: { offline_upload: count('held_offline'), wechat_bill: count('finding') },
      stuckPendingByKind: { topup_order: count('stuck_pending') },
    },
  });
  return fakeApi({
    'GET /v1/admin/reconciliation-queue': answer,
    'POST /v1/admin/accounts/{accountNo}/unfreeze': () => {
      items = items.filter((item) => item !== ITEMS.frozen);
      return { status: 200, body: { accountNo: '20230002', status: 'active', previousStatus: 'frozen' } };
    },
    'POST /v1/admin/offline-holds/{id}/resolution': (request) => {
      items = items.filter((item) => item !== ITEMS.held);
      const { decision } = request.body as { decision: 'approve' | 'reject' };
      return { status: 200, body: { findingId: HELD, decision, terminalId: 'T001', recordId: '42', accountNo: '20230003', amountFen: 850, ...(decision === 'approve' ? { receiptNo: `01KB${'0'.repeat(21)}9`, balanceFen: 150 } : {}) } };
    },
    'POST /v1/admin/reconciliation-findings/{findingId}/resolution': (request) => {
      const id = request.path.split('/')[4];
      items = items.filter((item) => item.id !== id);
      return {
        status: 200,
        body: {
          findingId: id,
          source: 'offline_upload',
          kind: 'offline_record_held',
          day: '2026-11-29',
          ref: 'T001/42',
          outsideFen: 850,
          detail: 'held',
          status: 'resolved',
          createdAt: '2026-11-29T02:00:00.000Z',
          resolution: { ...(request.body as { resolution: 'no_action'; reason: string }), by: 'clerk.li', at: '2026-12-01T02:00:00.000Z' },
        },
      };
    },
    ...extra,
  });
}

const row = (kind: string, id: string) => screen.findByTestId(`queue-row-${kind}-${id}`);
const tabCount = (key: string) => screen.getByTestId(`queue-tab-${key}`).dataset.count;

describe('the reconciliation queue (对账待办)', { timeout: 30_000 }, () => {
  it('is the menu’s reconciliation screen: every kind with its count, why in words, what settles each', async () => {
    const api = queueApi();
    renderConsole(api, { path: '/findings', session: session('operator') });
    expect((await screen.findByTestId('menu-findings')).textContent).toBe('对账待办');
    const frozen = await row('frozen_account', '20230002');
    expect(frozen.textContent).toContain('卡库不符');
    expect((await row('held_offline', HELD)).textContent).toContain('余额不足');
    expect((await row('held_offline', HELD)).textContent).toContain('¥8.50');
    expect((await row('finding', FOUND)).textContent).toContain('微信支付账单');
    // A stuck transfer is settled by its reconciler: its script is said, no button.
    const stuck = await row('stuck_pending', ITEMS.stuck.id);
    expect(within(stuck).getByTestId(`queue-settles-stuck_pending-${ITEMS.stuck.id}`).textContent).toContain('npm run reconcile-topups');
    expect(within(stuck).queryByRole('button', { name: /处理|解冻/ })).toBeNull();
    await waitFor(() => expect(tabCount('all')).toBe('4'));
    expect(tabCount('frozen_account')).toBe('1');
    expect(tabCount('stuck_pending')).toBe('1');
    expect(screen.getByTestId('queue-by-source').textContent).toContain('脱机上传 1');
    expect(screen.getByTestId('queue-by-pending').textContent).toContain('充值订单 1');
    expect(api.sent('GET /v1/admin/reconciliation-queue')[0]!.query).toEqual({ limit: '50' });
  });

  it('unfreezes a frozen account through the route the item names, with a reason; the queue is read again', async () => {
    const api = queueApi();
    renderConsole(api, { path: '/findings', session: session('operator') });
    fireEvent.click(await screen.findByTestId('queue-resolve-frozen_account-20230002'));
    expect((await screen.findByTestId('queue-summary')).textContent).toContain('账户恢复正常');
    expect((screen.getByTestId('queue-confirm') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('queue-reason'), { target: { value: '卡库核对一致，解冻' } });
    fireEvent.click(screen.getByTestId('queue-confirm'));
    await waitFor(() => expect(screen.queryByTestId('queue-row-frozen_account-20230002')).toBeNull());
    expect(api.sent('POST /v1/admin/accounts/20230002/unfreeze')[0]!.body).toEqual({ reason: '卡库核对一致，解冻' });
    expect(api.sent('GET /v1/admin/reconciliation-queue')).toHaveLength(2);
    await waitFor(() => expect(tabCount('frozen_account')).toBe('0'));
    expect(screen.queryByTestId('queue-dialog')).toBeNull();
  });

  it('a held offline record is approved or rejected only once staff choose which', async () => {
    const api = queueApi();
    renderConsole(api, { path: '/findings', session: session('operator') });
    fireEvent.click(await screen.findByTestId(`queue-resolve-held_offline-${HELD}`));
    expect((await screen.findByTestId('queue-summary')).textContent).toContain('¥8.50');
    fireEvent.change(screen.getByTestId('queue-reason'), { target: { value: '持卡人确认消费' } });
    // A reason alone is not enough: approving charges the holder.
    expect((screen.getByTestId('queue-confirm') as HTMLButtonElement).disabled).toBe(true);
    const select = screen.getByTestId('queue-choice');
    fireEvent.mouseDown(select.querySelector('.ant-select-selector') ?? select);
    fireEvent.click(await screen.findByTitle('批准扣款'));
    fireEvent.click(screen.getByTestId('queue-confirm'));
    await waitFor(() => expect(screen.queryByTestId(`queue-row-held_offline-${HELD}`)).toBeNull());
    expect(api.sent(`POST /v1/admin/offline-holds/${HELD}/resolution`)[0]!.body).toEqual({ decision: 'approve', reason: '持卡人确认消费' });
  });

  it('a finding in the queue is resolved with the resolution chosen', async () => {
    const api = queueApi();
    renderConsole(api, { path: '/findings', session: session('operator') });
    fireEvent.click(await screen.findByTestId(`queue-resolve-finding-${FOUND}`));
    const select = await screen.findByTestId('queue-choice');
    fireEvent.mouseDown(select.querySelector('.ant-select-selector') ?? select);
    fireEvent.click(await screen.findByTitle('已退款'));
    fireEvent.change(screen.getByTestId('queue-reason'), { target: { value: '已原路退款' } });
    fireEvent.click(screen.getByTestId('queue-confirm'));
    await waitFor(() => expect(screen.queryByTestId(`queue-row-finding-${FOUND}`)).toBeNull());
    expect(api.sent(`POST /v1/admin/reconciliation-findings/${FOUND}/resolution`)[0]!.body).toEqual({ resolution: 'refunded', reason: '已原路退款' });
  });

  it('a refusal stays in the dialog in the server’s words; nothing is read again', async () => {
    const api = queueApi({ 'POST /v1/admin/accounts/{accountNo}/unfreeze': () => ({ refuse: 'ACCOUNT_NOT_FOUND' }) });
    renderConsole(api, { path: '/findings', session: session('operator') });
    fireEvent.click(await screen.findByTestId('queue-resolve-frozen_account-20230002'));
    fireEvent.change(await screen.findByTestId('queue-reason'), { target: { value: '解冻' } });
    fireEvent.click(screen.getByTestId('queue-confirm'));
    expect((await screen.findByTestId('queue-error-dialog')).textContent).toBe(ERRORS.ACCOUNT_NOT_FOUND.zh);
    expect(api.sent('GET /v1/admin/reconciliation-queue')).toHaveLength(1);
  });

  it('a tab shows one kind; the findings tab is the findings table, and resolving there counts again', async () => {
    const finding = {
      findingId: FOUND,
      source: 'wechat_bill',
      kind: 'missing_from_bill',
      day: '2026-11-30',
      channel: 'wechat',
      ref: '4200000001',
      accountNo: '20230001',
      outsideFen: 0,
      oursFen: 5_000,
      detail: '我方已入账，账单无此笔',
      status: 'open',
      createdAt: '2026-11-30T02:00:00.000Z',
    };
    const held = { ...finding, findingId: HELD, source: 'offline_upload', kind: 'offline_record_held', ref: 'T001/42', detail: 'held: balance short' };
    const api = queueApi({ 'GET /v1/admin/reconciliation-findings': () => ({ status: 200, body: { findings: [held, finding] } }) });
    renderConsole(api, { path: '/findings', session: session('operator') });
    await row('frozen_account', '20230002');
    fireEvent.click(screen.getByTestId('queue-tab-frozen_account'));
    await waitFor(() => expect(api.sent('GET /v1/admin/reconciliation-queue').at(-1)!.query).toEqual({ kind: 'frozen_account', limit: '50' }));
    await waitFor(() => expect(screen.queryByTestId(`queue-row-held_offline-${HELD}`)).toBeNull());
    expect(screen.getByTestId('queue-row-frozen_account-20230002')).toBeTruthy();

    fireEvent.click(screen.getByTestId('queue-tab-finding'));
    const table = await screen.findByTestId('findings-table');
    expect(await within(table).findByText('我方已入账，账单无此笔')).toBeTruthy();
    // The held record is the held tab's (approve or reject), not resolved here.
    expect(screen.getAllByTestId('finding-row')).toHaveLength(1);
    expect(screen.queryByTestId(`finding-resolve-${HELD}`)).toBeNull();
    const reads = api.sent('GET /v1/admin/reconciliation-queue').length;
    fireEvent.click(screen.getByTestId(`finding-resolve-${FOUND}`));
    fireEvent.change(await screen.findByTestId('resolve-reason'), { target: { value: '平台次日补单' } });
    fireEvent.click(screen.getByTestId('resolve-confirm'));
    await waitFor(() => expect(screen.queryByText('我方已入账，账单无此笔')).toBeNull());
    await waitFor(() => expect(api.sent('GET /v1/admin/reconciliation-queue').length).toBe(reads + 1));
    await waitFor(() => expect(tabCount('finding')).toBe('0'));
  });

  it('an auditor reads the queue; nothing is resolvable, as the routes’ roles say', async () => {
    renderConsole(queueApi(), { path: '/findings', session: session('auditor') });
    expect(((await screen.findByTestId('queue-resolve-frozen_account-20230002')) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId(`queue-resolve-held_offline-${HELD}`) as HTMLButtonElement).disabled).toBe(true);
  });

  it('a refused read says 无权限', async () => {
    renderConsole(fakeApi({ 'GET /v1/admin/reconciliation-queue': () => ({ refuse: 'FORBIDDEN' }) }), { path: '/findings', session: session('operator') });
    expect((await screen.findByTestId('queue-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
  });

  it('an item’s route is read against the contract it must be; another path resolves nothing', () => {
    expect(routeParams(unfreezeAccount, '/v1/admin/accounts/20230002/unfreeze')).toEqual({ accountNo: '20230002' });
    expect(routeParams(resolveReconciliationFinding, `/v1/admin/reconciliation-findings/${HELD}/resolution`)).toEqual({ findingId: HELD });
    expect(routeParams(resolveOfflineHoldRoute, `/v1/admin/offline-holds/${HELD}/resolution`)).toEqual({ id: HELD });
    expect(routeParams(unfreezeAccount, '/v1/admin/accounts/20230002/terminate')).toBeUndefined();
  });
});
