/** The account page's 自动充值 section and its 解除自动充值 action (issue 18 item 2, the counter's side). */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { ACCOUNT, AUTO_RELOAD_NONE, fakeApi, session, type FakeApi } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

const ACTIVE = {
  ...AUTO_RELOAD_NONE,
  status: 'active',
  channel: 'wechat',
  thresholdFen: 8_000,
  amountFen: 1_000,
  reloadsToday: 1,
  dailyMax: 2,
  agreementCode: 'A20230001mh2k3l',
  createdAt: '2026-11-30T02:00:00.000Z',
  signedAt: '2026-11-30T02:01:00.000Z',
};
const CANCELLED = { ...ACTIVE, status: 'cancelled', cancelledAt: '2026-12-01T03:00:00.000Z', cancelledBy: 'card_centre' };

function autoReloadApi(cancel: () => { refuse: 'PAYMENT_CHANNEL_UNAVAILABLE' } | undefined = () => undefined): FakeApi {
  let view: object = ACTIVE;
  return fakeApi({
    'GET /v1/admin/accounts/{accountNo}/auto-reload': () => ({ status: 200, body: view }),
    'DELETE /v1/admin/accounts/{accountNo}/auto-reload': () => {
      const refusal = cancel();
      if (refusal) return refusal;
      view = CANCELLED;
      return { status: 200, body: CANCELLED };
    },
  });
}

async function openAccount(api: FakeApi, role: Parameters<typeof session>[0] = 'operator') {
  renderConsole(api, { path: `/accounts/${ACCOUNT.accountNo}`, session: session(role) });
  await screen.findByTestId('account-holder');
  await screen.findByTestId('auto-reload-status');
}

describe('the account page’s automatic reload', { timeout: 30_000 }, () => {
  it('shows the agreement: status, platform, threshold, amount, reloads today of the daily max, signed at', async () => {
    const api = autoReloadApi();
    await openAccount(api);
    expect(screen.getByTestId('auto-reload-status').textContent).toBe('已开启');
    expect(screen.getByTestId('auto-reload-channel').textContent).toBe('微信支付');
    expect(screen.getByTestId('auto-reload-threshold').textContent).toBe('¥80.00');
    expect(screen.getByTestId('auto-reload-amount').textContent).toBe('¥10.00');
    expect(screen.getByTestId('auto-reload-today').textContent).toBe('1 次（每天最多 2 次）');
    expect(screen.getByTestId('auto-reload-signed-at').textContent).toContain('2026/11/30');
    expect(screen.getByTestId('auto-reload-cancelled').textContent).toBe('—');
    expect(screen.getByTestId('account-auto-reload').textContent).toContain('自动充值');
    expect(api.sent(`GET /v1/admin/accounts/${ACCOUNT.accountNo}/auto-reload`)[0]!.headers.authorization).toBe('Bearer aaa.bbb.ccc');
  });

  it('the operator ends it through the reason dialog; the answer and the page say 已解约 by the card centre', async () => {
    const api = autoReloadApi();
    await openAccount(api);
    const button = screen.getByTestId('action-auto-reload') as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    expect(button.textContent?.replace(/\s/g, '')).toBe('解除自动充值');
    fireEvent.click(button);
    expect((await screen.findByTestId('action-summary')).textContent).toContain('先在支付平台解除代扣协议');
    fireEvent.change(screen.getByTestId('action-reason'), { target: { value: '持卡人来电要求停止' } });
    fireEvent.click(screen.getByTestId('action-confirm'));
    expect((await screen.findByTestId('result-status')).textContent).toBe('已解约');
    expect(screen.getByTestId('result-cancelledBy').textContent).toBe('卡务中心');
    expect(api.sent(`DELETE /v1/admin/accounts/${ACCOUNT.accountNo}/auto-reload`)[0]!.body).toEqual({ reason: '持卡人来电要求停止' });
    fireEvent.click(screen.getByTestId('action-close'));
    await waitFor(() => expect(screen.getByTestId('auto-reload-status').textContent).toBe('已解约'));
    expect(screen.getByTestId('auto-reload-cancelled').textContent).toContain('卡务中心');
    // Nothing left to end.
    expect((screen.getByTestId('action-auto-reload') as HTMLButtonElement).disabled).toBe(true);
  });

  it('a refusal is shown in the server’s words, and the dialog stays open', async () => {
    const api = autoReloadApi(() => ({ refuse: 'PAYMENT_CHANNEL_UNAVAILABLE' }));
    await openAccount(api);
    fireEvent.click(screen.getByTestId('action-auto-reload'));
    fireEvent.change(await screen.findByTestId('action-reason'), { target: { value: '持卡人来电要求停止' } });
    fireEvent.click(screen.getByTestId('action-confirm'));
    expect((await screen.findByTestId('action-error')).textContent).toBe(ERRORS.PAYMENT_CHANNEL_UNAVAILABLE.zh);
    expect(screen.getByTestId('action-confirm')).toBeTruthy();
    expect(screen.getByTestId('auto-reload-status').textContent).toBe('已开启');
  });

  it('the auditor reads it; the action is off, as its contract’s roles say', async () => {
    await openAccount(autoReloadApi(), 'auditor');
    expect(screen.getByTestId('auto-reload-status').textContent).toBe('已开启');
    expect((screen.getByTestId('action-auto-reload') as HTMLButtonElement).disabled).toBe(true);
  });

  it('an account without it says 未开通, and there is nothing to end', async () => {
    await openAccount(fakeApi());
    expect(screen.getByTestId('auto-reload-status').textContent).toBe('未开通');
    expect(screen.getByTestId('auto-reload-channel').textContent).toBe('—');
    expect((screen.getByTestId('action-auto-reload') as HTMLButtonElement).disabled).toBe(true);
  });
});
