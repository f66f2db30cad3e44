/**
 * The report screen (报表, GET /v1/admin/reports/turnover): turnover, refunds and net per campus day
 * and per merchant, and top-ups per channel per day, over a range of at most TURNOVER_REPORT_MAX_DAYS
 * days; totals, three bar charts, the merchants' table, and the report as CSV for Excel written with
 * csv-stringify (UTF-8 with a BOM, CRLF, yuan with two decimals; a line per day with each channel's
 * top-ups, then a line per merchant). A range the API would refuse is refused here, before any request.
 *
 * data-testids: reports-range, reports-from, reports-to, reports-preset-<7|30|62>, reports-include-today,
 *   reports-range-problem, reports-totals, chart-report-days, chart-report-topups, chart-report-merchants,
 *   reports-merchants-table, reports-export, reports-error
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Card, Checkbox, Col, Empty, Input, Row, Space, Statistic, Table, Typography } from 'antd';
import { stringify } from 'csv-stringify/browser/esm/sync';
import type { z } from 'zod';
import { getTurnoverReportRoute, TURNOVER_REPORT_MAX_DAYS } from '@shared/api/settlement';
import { formatYuan } from '@shared/money';
import { Chart, CHART_GRID, type ChartOption } from '../components/Chart';
import { ErrorAlert, useConsole, yuan } from '../console-context';
import { useI18n, type WordKey } from '../i18n';
import { campusToday } from './AuditLog';
import { saveCsv } from './Statements';

type Report = z.output<typeof getTurnoverReportRoute.response>;
type MerchantRow = Report['merchants'][number];

/** The top-up channels in the order the charts, the legend and the CSV columns show them. */
export const REPORT_CHANNELS = ['wechat', 'alipay', 'bank', 'cash_desk'] as const;
const CHANNEL_COLORS: Record<(typeof REPORT_CHANNELS)[number], string> = { wechat: '#52c41a', alipay: '#1677ff', bank: '#faad14', cash_desk: '#8c8c8c' };
const PRESETS = [7, 30, 62] as const;
/** Merchants drawn in the chart; the table lists them all. */
const CHART_MERCHANTS = 20;

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The `days` campus days ending today (Asia/Shanghai) or yesterday: yesterday's figures are final, today's still growing. */
export function presetRange(days: number, includeToday: boolean, now = new Date()): { from: string; to: string } {
  const to = includeToday ? campusToday(now) : addDays(campusToday(now), -1);
  return { from: addDays(to, -(days - 1)), to };
}

/** Why the API would refuse this range (the contract's own rule: from ≤ to, at most TURNOVER_REPORT_MAX_DAYS days), or undefined. */
export function rangeProblem(from: string, to: string): 'reportRangeReversed' | 'reportRangeTooLong' | 'reportRangeMissing' | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return 'reportRangeMissing';
  if (from > to) return 'reportRangeReversed';
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 + 1 > TURNOVER_REPORT_MAX_DAYS) return 'reportRangeTooLong';
  return undefined;
}

/** A text cell Excel would run as a formula (a merchant named "=…") starts with an apostrophe instead. */
function text(value: string): string {
  return /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(value) ? `'${value}` : value;
}

/**
 * The report as CSV: money cells are passed as bigint fen and cast to yuan with two decimals, so a
 * negative net stays a number in Excel (csv-stringify's escape_formulas would quote a "-" string).
 */
export function reportCsv(report: Report, t: (key: WordKey) => string, name: (value: string) => string): string {
  const fen = (value: number) => BigInt(value);
  const channels = (day: string) => {
    const of = report.topups.find((d) => d.day === day);
    return REPORT_CHANNELS.map((channel) => fen(of?.byChannel.find((c) => c.channel === channel)?.amountFen ?? 0));
  };
  const rows: (string | bigint)[][] = [
    [t('day'), t('turnover'), t('refundsColumn'), t('reportNet'), t('entries'), t('reportTopups'), ...REPORT_CHANNELS.map(name)],
    ...report.days.map((d) => [d.day, fen(d.turnoverFen), fen(d.refundsFen), fen(d.netFen), String(d.entries), fen(report.topups.find((x) => x.day === d.day)?.totalFen ?? 0), ...channels(d.day)]),
    [],
    [t('merchantIdLabel'), t('merchantName'), t('turnover'), t('refundsColumn'), t('reportNet'), t('entries')],
    ...report.merchants.map((m) => [text(m.merchantId), text(m.name), fen(m.turnoverFen), fen(m.refundsFen), fen(m.netFen), String(m.entries)]),
  ];
  return stringify(rows, { record_delimiter: 'windows', cast: { bigint: (value) => formatYuan(Number(value)) } });
}

export function totalsOf(report: Report) {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    turnoverFen: sum(report.days.map((d) => d.turnoverFen)),
    refundsFen: sum(report.days.map((d) => d.refundsFen)),
    netFen: sum(report.days.map((d) => d.netFen)),
    topupsFen: sum(report.topups.map((d) => d.totalFen)),
  };
}

export function Reports() {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [includeToday, setIncludeToday] = useState(false);
  const [range, setRange] = useState(() => presetRange(7, false));
  const [report, setReport] = useState<Report>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const problem = rangeProblem(range.from, range.to);

  const load = useCallback(async () => {
    if (rangeProblem(range.from, range.to)) return; // refused in the page: nothing is sent
    setBusy(true);
    try {
      setReport(await client.call(getTurnoverReportRoute, { query: range }));
      setError(undefined);
    } catch (caught) {
      setReport(undefined);
      setError(caught);
    } finally {
      setBusy(false);
    }
  }, [client, range]);
  useEffect(() => {
    void load();
  }, [load]);

  function preset(days: number, today = includeToday) {
    setRange(presetRange(days, today));
  }

  const charts = useMemo(() => {
    if (!report) return undefined;
    const money = (v: unknown) => `¥${Number(v).toFixed(2)}`;
    const grid = CHART_GRID;
    const labels = report.days.map((d) => d.day.slice(5));
    const days: ChartOption = {
      tooltip: { trigger: 'axis', valueFormatter: money },
      grid,
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', name: t('turnover'), data: report.days.map((d) => d.turnoverFen / 100), itemStyle: { color: '#1677ff' } }],
    };
    const topups: ChartOption = {
      tooltip: { trigger: 'axis', valueFormatter: money },
      legend: { bottom: 0, data: REPORT_CHANNELS.map(name) },
      grid: { ...grid, bottom: 52 },
      xAxis: { type: 'category', data: report.topups.map((d) => d.day.slice(5)) },
      yAxis: { type: 'value' },
      series: REPORT_CHANNELS.map((channel) => ({
        type: 'bar' as const,
        stack: 'topups',
        name: name(channel),
        data: report.topups.map((d) => (d.byChannel.find((c) => c.channel === channel)?.amountFen ?? 0) / 100),
        itemStyle: { color: CHANNEL_COLORS[channel] },
      })),
    };
    const top = report.merchants.slice(0, CHART_MERCHANTS);
    const merchants: ChartOption = {
      tooltip: { trigger: 'axis', valueFormatter: money },
      grid,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: top.map((m) => m.name) },
      series: [{ type: 'bar', name: t('turnover'), data: top.map((m) => m.turnoverFen / 100), itemStyle: { color: '#13a8a8' } }],
    };
    return { days, topups, merchants, merchantsHeight: Math.max(200, top.length * 28 + 40) };
  }, [report, t, name]);

  const totals = report && totalsOf(report);
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t('menuReports')}>
        <Space wrap data-testid="reports-range" style={{ marginBottom: 16 }}>
          {PRESETS.map((days) => (
            <Button key={days} data-testid={`reports-preset-${days}`} onClick={() => preset(days)}>
              {t(`reportPreset${days}`)}
            </Button>
          ))}
          <Checkbox
            data-testid="reports-include-today"
            checked={includeToday}
            onChange={(e) => {
              setIncludeToday(e.target.checked);
              // The same number of days, now ending on the other day.
              const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000) + 1;
              if (!problem) preset(days, e.target.checked);
            }}
          >
            {t('reportIncludeToday')}
          </Checkbox>
          <Input type="date" data-testid="reports-from" value={range.from} onChange={(e) => setRange((r) => ({ ...r, from: e.target.value }))} style={{ width: 160 }} />
          <Typography.Text>–</Typography.Text>
          <Input type="date" data-testid="reports-to" value={range.to} onChange={(e) => setRange((r) => ({ ...r, to: e.target.value }))} style={{ width: 160 }} />
          <Button onClick={() => void load()} loading={busy} disabled={!!problem}>
            {t('refresh')}
          </Button>
          <Button data-testid="reports-export" disabled={!report || !!problem} onClick={() => report && saveCsv(reportCsv(report, t, name), `turnover-${report.from}_${report.to}.csv`)}>
            {t('exportCsv')}
          </Button>
        </Space>
        {problem && (
          <Typography.Paragraph type="danger" data-testid="reports-range-problem">
            {t(problem)}
          </Typography.Paragraph>
        )}
        <ErrorAlert error={error} testId="reports-error" />
        {totals && (
          <Row gutter={16} data-testid="reports-totals">
            <Col xs={12} md={6}>
              <Statistic title={t('turnover')} value={yuan(totals.turnoverFen)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('refundsColumn')} value={yuan(totals.refundsFen)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('reportNet')} value={yuan(totals.netFen)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('reportTopups')} value={yuan(totals.topupsFen)} />
            </Col>
          </Row>
        )}
      </Card>
      {report && charts && (
        <>
          <Row gutter={16}>
            <Col xs={24} xl={12}>
              <Card title={t('turnoverPerDay')} size="small">
                <Chart option={charts.days} testId="chart-report-days" height={280} />
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('reportTopupsPerDay')} size="small">
                <Chart option={charts.topups} testId="chart-report-topups" height={280} />
              </Card>
            </Col>
          </Row>
          <Row gutter={16}>
            <Col xs={24} xl={12}>
              <Card title={t('turnoverPerMerchant')} size="small">
                {report.merchants.length === 0 ? <Empty /> : <Chart option={charts.merchants} testId="chart-report-merchants" height={charts.merchantsHeight} />}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('merchants')} size="small">
                <Table<MerchantRow>
                  data-testid="reports-merchants-table"
                  size="small"
                  rowKey="merchantId"
                  dataSource={report.merchants}
                  pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
                  columns={[
                    { title: t('merchantName'), dataIndex: 'name', render: (v: string, m) => `${v}（${m.merchantId}）` },
                    { title: t('entries'), dataIndex: 'entries', align: 'right' },
                    { title: t('turnover'), dataIndex: 'turnoverFen', align: 'right', render: yuan },
                    { title: t('refundsColumn'), dataIndex: 'refundsFen', align: 'right', render: yuan },
                    { title: t('reportNet'), dataIndex: 'netFen', align: 'right', render: (v: number) => <Typography.Text strong>{yuan(v)}</Typography.Text> },
                  ]}
                />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </Space>
  );
}
