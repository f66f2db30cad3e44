import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ERRORS, renderMessage } from '@shared/errors';
import { periodEnd, periodStart } from '../src/screens/Statements';
import { fakeApi, session, type FakeApi } from './fake-api';
import { renderConsole } from './render-console';
import { bytes, captureDownloads } from './downloads';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const MERCHANTS = [
  { merchantId: 'M001', name: '第一食堂', category: 'canteen', status: 'active', feeRateBps: 50, settlementPeriod: 'weekly', createdAt: '2026-09-01T00:00:00.000Z' },
  { merchantId: 'M002', name: '教育超市', category: 'shop', status: 'active', feeRateBps: 80, settlementPeriod: 'weekly', createdAt: '2026-09-01T00:00:00.000Z' },
];

function summary(merchantId: string, merchantName: string, turnoverFen: number, status: 'closed' | 'paid') {
  const feeFen = Math.round(turnoverFen * 0.005);
  return {
    statementId: `W20261123-${merchantId}`,
    merchantId,
    merchantName,
    periodKind: 'weekly',
    from: '2026-11-23',
    to: '2026-11-29',
    settles: true,
    feeRateBps: 50,
    settlementAccountMasked: '6222 **** **** 1234',
    entries: 3,
    turnoverFen,
    refundsFen: 0,
    adjustmentsFen: 0,
    netTurnoverFen: turnoverFen,
    feeFen,
    netPayableFen: turnoverFen - feeFen,
    status,
    closedAt: '2026-11-30T00:15:00.000Z',
    ...(status === 'paid' ? { payout: { bankReference: 'B-0001', paidAt: '2026-12-01T02:00:00.000Z', paidBy: 'fin.zhao', entryId: 'E1' } } : {}),
  };
}

const detail = (s: ReturnType<typeof summary>) => ({
  ...s,
  days: [
    { day: '2026-11-23', entries: 2, turnoverFen: s.turnoverFen - 1_000, refundsFen: 0, adjustmentsFen: 0 },
    { day: '2026-11-24', entries: 1, turnoverFen: 1_000, refundsFen: 0, adjustmentsFen: 0 },
  ],
  adjustments: [],
});

// The server's CSV: UTF-8 with a BOM, Chinese names, CRLF.
const CSV_BYTES = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('商户,营业额\r\n第一食堂,120.00\r\n')]);

function statementsApi(extra: Parameters<typeof fakeApi>[0] = {}): FakeApi {
  const statements = [summary('M001', '第一食堂', 12_000, 'closed'), summary('M002', '教育超市', 8_000, 'paid')];
  return fakeApi({
    'GET /v1/admin/merchants': () => ({ status: 200, body: { merchants: MERCHANTS } }),
    'GET /v1/admin/statements': (request) => ({ status: 200, body: { statements: request.query.merchantId ? statements.filter((s) => s.merchantId === request.query.merchantId) : statements } }),
    'GET /v1/admin/statements/{statementId}/csv': () => ({ status: 200, text: CSV_BYTES, contentType: 'text/csv; charset=utf-8' }),
    'GET /v1/admin/statement-exports': () => ({ status: 200, text: CSV_BYTES, contentType: 'text/csv; charset=utf-8' }),
    'GET /v1/admin/statements/{statementId}': (request) => {
      const found = statements.find((s) => request.path.endsWith(`/${s.statementId}`));
      return found ? { status: 200, body: detail(found) } : { refuse: 'STATEMENT_NOT_FOUND' };
    },
    'POST /v1/admin/statements/{statementId}/payout': (request) => {
      const body = request.body as { bankReference: string };
      statements[0] = { ...statements[0]!, status: 'paid', payout: { bankReference: body.bankReference, paidAt: '2026-12-01T03:00:00.000Z', paidBy: 'fin.zhao', entryId: 'E2' } };
      return { status: 200, body: detail(statements[0]) };
    },
    ...extra,
  });
}

async function pickWeek(day: string) {
  fireEvent.change(await screen.findByTestId('statements-day'), { target: { value: day } });
}

describe('settlement statements', { timeout: 30_000 }, () => {
  it('lists every merchant’s statement of the week containing a day, with figures and both charts', async () => {
    const api = statementsApi();
    renderConsole(api, { path: '/statements', session: session('finance', 'fin.zhao') });
    await pickWeek('2026-11-25');
    const row = await screen.findByTestId('statement-row-W20261123-M001');
    expect(row.textContent).toContain('第一食堂');
    expect(row.textContent).toContain('¥120.00');
    expect(row.textContent).toContain('¥119.40');
    expect(within(screen.getByTestId('statement-row-W20261123-M002')).getByText('已付款')).toBeTruthy();
    await waitFor(() => expect(api.sent('GET /v1/admin/statements').at(-1)!.query).toEqual({ periodKind: 'weekly', from: '2026-11-25' }));
    expect(await screen.findByTestId('chart-statement-days')).toBeTruthy();
    expect(screen.getByTestId('chart-statement-merchants')).toBeTruthy();
    // The per-day chart adds up every statement's days.
    await waitFor(() => expect(api.sent('GET /v1/admin/statements/W20261123-M002').length).toBeGreaterThan(0));
  });

  it('downloads a statement’s CSV and the period’s CSV with the server’s bytes (BOM, Chinese) and its file names', async () => {
    const api = statementsApi();
    renderConsole(api, { path: '/statements', session: session('auditor', 'audit.qian') });
    await pickWeek('2026-11-25');
    const saved = captureDownloads();
    fireEvent.click(await screen.findByTestId('statement-csv-W20261123-M001'));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.name).toBe('W20261123-M001.csv');
    expect(await bytes(saved[0]!.blob)).toEqual(CSV_BYTES);
    fireEvent.click(screen.getByTestId('statements-export'));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(saved[1]!.name).toBe('statements-weekly-2026-11-23.csv');
    expect(await bytes(saved[1]!.blob)).toEqual(CSV_BYTES);
    expect(api.sent('GET /v1/admin/statement-exports')[0]!.query).toEqual({ periodKind: 'weekly', from: '2026-11-25' });
  });

  it('finance marks a closed statement paid with the bank reference and a reason', async () => {
    const api = statementsApi();
    renderConsole(api, { path: '/statements', session: session('finance', 'fin.zhao') });
    await pickWeek('2026-11-25');
    fireEvent.click(await screen.findByTestId('statement-pay-W20261123-M001'));
    const confirm = (await screen.findByTestId('reason-confirm')) as HTMLButtonElement;
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '已按银行回单付款' } });
    expect(confirm.disabled).toBe(true); // no bank reference yet
    fireEvent.change(screen.getByTestId('pay-bank-reference'), { target: { value: 'B-20261201-7' } });
    await waitFor(() => expect(confirm.disabled).toBe(false));
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.queryByTestId('statement-pay-W20261123-M001')).toBeNull());
    expect(api.sent('POST /v1/admin/statements/W20261123-M001/payout')[0]!.body).toEqual({ bankReference: 'B-20261201-7', reason: '已按银行回单付款' });
  });

  it('the auditor reads statements but may neither mark one paid nor close a period', async () => {
    renderConsole(statementsApi(), { path: '/statements', session: session('auditor', 'audit.qian') });
    await pickWeek('2026-11-25');
    expect(((await screen.findByTestId('statement-pay-W20261123-M001')) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('statements-close') as HTMLButtonElement).disabled).toBe(true);
  });

  it('closes the period now with a reason and says what it closed; a period not ended is refused in the server’s words', async () => {
    let ended = false;
    const api = statementsApi({
      'POST /v1/admin/statement-closings': (request) => {
        if (!ended) return { refuse: 'STATEMENT_PERIOD_NOT_ENDED', params: { minutes: 15 } };
        const body = request.body as { from: string };
        return { status: 200, body: { period: { kind: 'weekly', from: periodStart('weekly', body.from), to: periodEnd('weekly', body.from) }, closed: 2, alreadyClosed: 0, statements: [summary('M001', '第一食堂', 12_000, 'closed')] } };
      },
    });
    renderConsole(api, { path: '/statements', session: session('finance', 'fin.zhao') });
    await pickWeek('2026-11-25');
    fireEvent.click(await screen.findByTestId('statements-close'));
    expect((await screen.findByTestId('reason-summary')).textContent).toContain('2026-11-23 – 2026-11-29');
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '月底提前关账' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    expect((await screen.findByTestId('reason-error')).textContent).toBe(renderMessage(ERRORS.STATEMENT_PERIOD_NOT_ENDED.zh, { minutes: 15 }));
    ended = true;
    fireEvent.click(screen.getByTestId('reason-confirm'));
    expect((await screen.findByTestId('close-result')).textContent).toContain('2026-11-23 – 2026-11-29');
    expect(screen.getByTestId('close-result').textContent).toContain('2');
    expect(api.sent('POST /v1/admin/statement-closings').at(-1)!.body).toEqual({ periodKind: 'weekly', from: '2026-11-25', reason: '月底提前关账' });
  });

  it('lists one merchant’s statements; a refusal says 无权限; the counter has no settlement menu', async () => {
    const api = statementsApi();
    renderConsole(api, { path: '/statements', session: session('finance', 'fin.zhao') });
    await screen.findByTestId('statements-table');
    fireEvent.click(screen.getByText('按商户'));
    expect(await screen.findByTestId('statement-row-W20261123-M001')).toBeTruthy();
    await waitFor(() => expect(api.sent('GET /v1/admin/statements').at(-1)!.query).toEqual({ merchantId: 'M001' }));
    expect(screen.queryByTestId('statement-row-W20261123-M002')).toBeNull();
    cleanup();
    renderConsole(statementsApi({ 'GET /v1/admin/statements': () => ({ refuse: 'FORBIDDEN' }) }), { path: '/statements', session: session('finance') });
    expect((await screen.findByTestId('statements-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
    cleanup();
    renderConsole(statementsApi(), { path: '/accounts', session: session('operator') });
    await screen.findByTestId('menu-accounts');
    expect(screen.queryByTestId('menu-statements')).toBeNull();
  });

  it('knows the server’s periods: Monday weeks and calendar months', () => {
    expect(periodStart('weekly', '2026-11-29')).toBe('2026-11-23');
    expect(periodEnd('weekly', '2026-11-23')).toBe('2026-11-29');
    expect(periodStart('monthly', '2026-02-14')).toBe('2026-02-01');
    expect(periodEnd('monthly', '2028-02-14')).toBe('2028-02-29');
  });
});
