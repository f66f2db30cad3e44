import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { getInstanceByDom } from 'echarts/core';
import { ERRORS } from '@shared/errors';
import { getTurnoverReportRoute } from '@shared/api/settlement';
import { presetRange, rangeProblem, reportCsv } from '../src/screens/Reports';
import { fakeApi, session, turnoverReport } from './fake-api';
import { renderConsole } from './render-console';
import { bytes, captureDownloads } from './downloads';

const REPORT = 'GET /v1/admin/reports/turnover';

beforeEach(() => {
  // Only Date is faked (timers stay real for the screen's requests): the campus day is 2026-12-01.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-01T03:00:00.000Z'));
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function chartOption(testId: string) {
  const instance = getInstanceByDom(screen.getByTestId(testId));
  expect(instance).toBeTruthy();
  return instance!.getOption() as { series: { name: string; stack?: string; data: number[] }[]; legend?: { data: string[] }[]; yAxis: { data?: string[] }[] };
}

describe('the report screen', { timeout: 60_000 }, () => {
  it('loads the last 7 campus days ending yesterday, with the totals, the three charts and the merchants', async () => {
    const api = fakeApi();
    renderConsole(api, { path: '/reports', session: session('finance', 'fin.zhao') });
    const totals = await screen.findByTestId('reports-totals');
    expect(api.sent(REPORT)[0]!.query).toEqual({ from: '2026-11-24', to: '2026-11-30' });
    // The fake's week: turnover 721.00 + 80.20, refunds 1.50, top-ups 7 × 80.00 + 10.00.
    for (const figure of ['¥801.20', '¥1.50', '¥799.70', '¥570.00']) expect(totals.textContent).toContain(figure);
    for (const id of ['chart-report-days', 'chart-report-topups', 'chart-report-merchants']) await waitFor(() => expect(screen.getByTestId(id).querySelector('svg')).not.toBeNull());
    expect(screen.getByTestId('chart-report-days').textContent).toContain('11-24');
    expect(chartOption('chart-report-days').series[0]!.data).toEqual([120.05, 101, 122.05, 103, 124.05, 105, 126.05]);
    const topups = chartOption('chart-report-topups');
    expect(topups.series.map((s) => [s.name, s.stack])).toEqual([
      ['微信支付', 'topups'],
      ['支付宝', 'topups'],
      ['银行', 'topups'],
      ['现金窗口', 'topups'],
    ]);
    expect(topups.series[3]!.data).toEqual([10, 0, 0, 0, 0, 0, 0]);
    expect(topups.legend![0]!.data).toEqual(['微信支付', '支付宝', '银行', '现金窗口']);
    for (const channel of ['微信支付', '支付宝', '银行', '现金窗口']) expect(screen.getByTestId('chart-report-topups').textContent).toContain(channel);
    expect(chartOption('chart-report-merchants').yAxis[0]!.data).toEqual(['第一食堂', '教育超市']);
    expect(screen.getByTestId('chart-report-merchants').textContent).toContain('第一食堂');
    const table = screen.getByTestId('reports-merchants-table');
    const canteen = within(table).getByText('第一食堂（M001）').closest('tr')!;
    expect(canteen.textContent).toContain('¥721.00');
    expect(canteen.textContent).toContain('¥719.50');
  });

  it('the presets end yesterday, or today when asked; the English legend names the channels', async () => {
    const api = fakeApi();
    renderConsole(api, { path: '/reports', session: session('auditor', 'audit.qian') });
    await screen.findByTestId('reports-totals');
    fireEvent.click(screen.getByTestId('reports-preset-62'));
    await waitFor(() => expect(api.sent(REPORT).at(-1)!.query).toEqual({ from: '2026-09-30', to: '2026-11-30' }));
    fireEvent.click(screen.getByTestId('reports-include-today'));
    await waitFor(() => expect(api.sent(REPORT).at(-1)!.query).toEqual({ from: '2026-10-01', to: '2026-12-01' }));
    fireEvent.click(screen.getByTestId('reports-preset-30'));
    await waitFor(() => expect(api.sent(REPORT).at(-1)!.query).toEqual({ from: '2026-11-02', to: '2026-12-01' }));
    // Every request the screen sends is one the contract accepts.
    for (const request of api.sent(REPORT)) expect(getTurnoverReportRoute.query!.safeParse(request.query).success).toBe(true);
    fireEvent.click(screen.getByText('EN'));
    await waitFor(() => expect(chartOption('chart-report-topups').legend![0]!.data).toEqual(['WeChat Pay', 'Alipay', 'Bank', 'Cash desk']));
    expect(presetRange(7, true, new Date('2026-11-30T16:30:00.000Z'))).toEqual({ from: '2026-11-25', to: '2026-12-01' }); // 00:30 in Shanghai
  });

  it('refuses in the page a range over 62 days or reversed, and sends nothing', async () => {
    const api = fakeApi();
    renderConsole(api, { path: '/reports', session: session('finance', 'fin.zhao') });
    await screen.findByTestId('reports-totals');
    const sent = api.sent(REPORT).length;
    fireEvent.change(screen.getByTestId('reports-from'), { target: { value: '2026-09-29' } }); // 63 days to 2026-11-30
    expect((await screen.findByTestId('reports-range-problem')).textContent).toBe('日期范围最多 62 天');
    expect((screen.getByTestId('reports-export') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('reports-from'), { target: { value: '2026-12-05' } });
    await waitFor(() => expect(screen.getByTestId('reports-range-problem').textContent).toBe('截止日不能早于起始日'));
    await new Promise((done) => setTimeout(done, 50));
    expect(api.sent(REPORT)).toHaveLength(sent);
    fireEvent.change(screen.getByTestId('reports-from'), { target: { value: '2026-09-30' } }); // exactly 62 days: allowed
    await waitFor(() => expect(api.sent(REPORT).at(-1)!.query).toEqual({ from: '2026-09-30', to: '2026-11-30' }));
    expect(screen.queryByTestId('reports-range-problem')).toBeNull();
    expect(rangeProblem('2026-11-30', '2026-11-30')).toBeUndefined();
  });

  it('exports the report as CSV for Excel: BOM, CRLF, Chinese names, two-decimal yuan, a column per channel', async () => {
    renderConsole(fakeApi(), { path: '/reports', session: session('finance', 'fin.zhao') });
    await screen.findByTestId('reports-totals');
    const saved = captureDownloads();
    fireEvent.click(screen.getByTestId('reports-export'));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.name).toBe('turnover-2026-11-24_2026-11-30.csv');
    const expected = [
      '日期,营业额,退款,净额,笔数,充值,微信支付,支付宝,银行,现金窗口',
      '2026-11-24,120.05,0.00,120.05,11,90.00,50.00,30.00,0.00,10.00',
      '2026-11-25,101.00,1.50,99.50,10,80.00,50.00,30.00,0.00,0.00',
      '2026-11-26,122.05,0.00,122.05,11,80.00,50.00,30.00,0.00,0.00',
      '2026-11-27,103.00,0.00,103.00,10,80.00,50.00,30.00,0.00,0.00',
      '2026-11-28,124.05,0.00,124.05,11,80.00,50.00,30.00,0.00,0.00',
      '2026-11-29,105.00,0.00,105.00,10,80.00,50.00,30.00,0.00,0.00',
      '2026-11-30,126.05,0.00,126.05,11,80.00,50.00,30.00,0.00,0.00',
      '',
      '商户编号,商户名称,营业额,退款,净额,笔数',
      'M001,第一食堂,721.00,1.50,719.50,70',
      'M002,教育超市,80.20,0.00,80.20,4',
    ];
    expect(await bytes(saved[0]!.blob)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(expected.map((line) => `${line}\r\n`).join(''))]));
  });

  it('keeps a negative net a number and disarms a merchant name Excel would run as a formula', () => {
    const report = turnoverReport('2026-11-30', '2026-11-30');
    report.merchants = [{ merchantId: 'M009', name: '=HYPERLINK("x")', turnoverFen: 0, refundsFen: 150, netFen: -150, entries: 1 }];
    const words = { merchantIdLabel: 'id', merchantName: 'name', turnover: 't', refundsColumn: 'r', reportNet: 'n', entries: 'e', day: 'd', reportTopups: 'p' } as Record<string, string>;
    const csv = reportCsv(report, (key) => words[key] ?? key, (value) => value);
    expect(csv.split('\r\n').at(-2)).toBe(`M009,"'=HYPERLINK(""x"")",0.00,1.50,-1.50,1`);
  });

  it('a refusal says 无权限; the operator has no report menu, finance has', async () => {
    renderConsole(fakeApi({ [REPORT]: () => ({ refuse: 'FORBIDDEN' }) }), { path: '/reports', session: session('finance') });
    expect((await screen.findByTestId('reports-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
    expect(screen.queryByTestId('reports-totals')).toBeNull();
    cleanup();
    renderConsole(fakeApi(), { path: '/accounts', session: session('operator') });
    await screen.findByTestId('menu-accounts');
    expect(screen.queryByTestId('menu-reports')).toBeNull();
    cleanup();
    renderConsole(fakeApi(), { path: '/accounts', session: session('finance', 'fin.zhao') });
    expect(await screen.findByTestId('menu-reports')).toBeTruthy();
  });
});
