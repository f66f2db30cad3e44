import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { DASHBOARD_FIGURES as FIGURES, fakeApi, session } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);


describe('the dashboard', { timeout: 30_000 }, () => {
  it('is the home screen: today’s figures as numbers and the three charts drawn', async () => {
    const api = fakeApi({ 'GET /v1/admin/dashboard': () => ({ status: 200, body: FIGURES }) });
    renderConsole(api, { path: '/', session: session('finance') });
    expect((await screen.findByTestId('stat-turnover')).textContent).toBe('¥1230.00');
    expect(screen.getByTestId('stat-topups').textContent).toBe('¥500.00');
    expect(screen.getByTestId('stat-terminals-online').textContent).toBe('4');
    expect(screen.getByTestId('stat-terminals-offline').textContent).toBe('1');
    expect(screen.getByTestId('stat-frozen').textContent).toBe('2');
    expect(screen.getByTestId('stat-findings').textContent).toBe('3');
    // ECharts drew into each box (SVG renderer).
    for (const id of ['chart-merchants', 'chart-channels', 'chart-terminals']) await waitFor(() => expect(screen.getByTestId(id).querySelector('svg')).not.toBeNull());
    expect(screen.getByTestId('chart-merchants').textContent).toContain('第一食堂');
  });

  it('a refusal is shown, not an empty dashboard', async () => {
    renderConsole(fakeApi({ 'GET /v1/admin/dashboard': () => ({ refuse: 'FORBIDDEN' }) }), { path: '/dashboard', session: session('operator') });
    expect((await screen.findByTestId('dashboard-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
  });
});
