import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { fakeApi, session } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

const MERCHANT = { merchantId: 'M001', name: '第一食堂', category: 'canteen', status: 'active', feeRateBps: 50, settlementPeriod: 'weekly', createdAt: '2026-09-01T00:00:00.000Z' };
const CODE = 'K7QM-3XTR-9BWD-2HFN';

function terminalsApi() {
  const terminals: Record<string, unknown>[] = [{ terminalId: 'POS-M001-01', merchantId: 'M001', place: '第一食堂 1F 窗口 1', kind: 'pos', status: 'active', createdAt: '2026-09-01T00:00:00.000Z', activatedAt: '2026-09-01T01:00:00.000Z' }];
  return fakeApi({
    'GET /v1/admin/merchants': () => ({ status: 200, body: { merchants: [MERCHANT] } }),
    'GET /v1/admin/merchants/{merchantId}/terminals': () => ({ status: 200, body: { terminals } }),
    'POST /v1/admin/terminals': (request) => {
      const body = request.body as { terminalId: string; place: string; kind: string };
      if (terminals.some((t) => t.terminalId === body.terminalId)) return { refuse: 'TERMINAL_EXISTS' };
      const terminal = { terminalId: body.terminalId, merchantId: 'M001', place: body.place, kind: body.kind, status: 'pending_activation', createdAt: '2026-12-01T02:00:00.000Z', activationExpiresAt: '2026-12-02T02:00:00.000Z' };
      terminals.push(terminal);
      return { status: 201, body: { terminal, activationCode: CODE, activationExpiresAt: '2026-12-02T02:00:00.000Z' } };
    },
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
