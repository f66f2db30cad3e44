import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { fakeApi, session, type FakeApi } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

const DEFAULTS = {
  idNumberX: 'drop',
  unfreezeInApp: true,
  replacementFeeFen: 2_000,
  temporaryReplacementFeeFen: 2_500,
  selfReplacementMinBalanceFen: 2_000,
  defaultDailyLimitFen: 5_000,
  maxDailyLimitFen: 60_000,
  temporaryCardMaxDays: 365,
  disputeWindowDays: 30,
  guardianDailyCapFen: 200_000,
  autoReloadMinAmountFen: 1_000,
  autoReloadMaxAmountFen: 50_000,
  autoReloadMaxThresholdFen: 20_000,
  autoReloadDailyMax: 2,
};

function policyApi(): FakeApi & { current(): Record<string, unknown> } {
  const state = { current: { ...DEFAULTS, unfreezeInApp: false } as Record<string, unknown> };
  const api = fakeApi({
    'GET /v1/admin/policy': (request) => ({ status: 200, body: request.query.include === 'defaults' ? { ...state.current, defaults: DEFAULTS } : state.current }),
    'PUT /v1/admin/policy': (request) => {
      state.current = (request.body as { policy: Record<string, unknown> }).policy;
      return { status: 200, body: state.current };
    },
  });
  return Object.assign(api, { current: () => state.current });
}

describe('campus policy', { timeout: 30_000 }, () => {
  it('shows every setting with its value, default and meaning; read-only for the counter', async () => {
    const api = policyApi();
    renderConsole(api, { path: '/policy', session: session('operator') });
    const row = await screen.findByTestId('policy-row-replacementFeeFen');
    expect(api.sent('GET /v1/admin/policy')[0]!.query).toEqual({ include: 'defaults' });
    expect(within(row).getByTestId('policy-value-replacementFeeFen').textContent).toBe('¥20.00');
    expect(within(row).getByTestId('policy-default-replacementFeeFen').textContent).toBe('¥20.00');
    expect(row.textContent).toContain('补办一张卡收取的工本费');
    // A setting the card centre changed is marked against its default.
    expect(screen.getByTestId('policy-value-unfreezeInApp').textContent).toContain('已改');
    expect(screen.getByTestId('policy-default-unfreezeInApp').textContent).toBe('开启');
    expect(screen.getByTestId('policy-row-maxDailyLimitFen').textContent).toContain('600.00 元');
    for (const key of Object.keys(DEFAULTS)) expect(screen.getByTestId(`policy-row-${key}`)).toBeTruthy();
    expect(screen.getByTestId('policy-readonly')).toBeTruthy();
    expect(screen.queryByTestId('policy-save')).toBeNull();
    expect(screen.queryByTestId('policy-input-replacementFeeFen')).toBeNull();
  });

  it('an administrator changes a setting and saves with a reason; a default limit above the maximum is refused before sending', async () => {
    const api = policyApi();
    renderConsole(api, { path: '/policy', session: session('administrator', 'adm.zhou') });
    const fee = (await screen.findByTestId('policy-input-replacementFeeFen')) as HTMLInputElement;
    const save = screen.getByTestId('policy-save') as HTMLButtonElement;
    expect(save.disabled).toBe(true); // nothing changed yet
    fireEvent.change(fee, { target: { value: '15' } });
    fireEvent.change(screen.getByTestId('policy-input-defaultDailyLimitFen'), { target: { value: '700' } });
    expect(await screen.findByTestId('policy-problem')).toBeTruthy();
    expect(save.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('policy-input-defaultDailyLimitFen'), { target: { value: '80' } });
    await waitFor(() => expect(save.disabled).toBe(false));
    fireEvent.click(save);
    const summary = await screen.findByTestId('reason-summary');
    expect(summary.textContent).toContain('补卡工本费（元）：¥20.00 → ¥15.00');
    expect(summary.textContent).toContain('¥50.00 → ¥80.00');
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '物价调整，卡务会议决定' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    expect(await screen.findByTestId('policy-saved')).toBeTruthy();
    expect(api.sent('PUT /v1/admin/policy')[0]!.body).toEqual({ policy: { ...DEFAULTS, unfreezeInApp: false, replacementFeeFen: 1_500, defaultDailyLimitFen: 8_000 }, reason: '物价调整，卡务会议决定' });
    expect(api.current().replacementFeeFen).toBe(1_500);
  });

  it('a refused read says 无权限', async () => {
    renderConsole(fakeApi({ 'GET /v1/admin/policy': () => ({ refuse: 'FORBIDDEN' }) }), { path: '/policy', session: session('auditor') });
    expect((await screen.findByTestId('policy-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
  });
});
