/**
 * The dashboard (GET /v1/admin/dashboard): today's turnover, top-ups by channel, terminals online and
 * offline, frozen accounts and open findings, as numbers and ECharts charts; refreshed every minute.
 *
 * data-testids: dashboard, dashboard-error, dashboard-refresh, stat-turnover, stat-topups,
 *   stat-terminals-online, stat-terminals-offline, stat-frozen, stat-findings, chart-merchants,
 *   chart-merchants-empty, chart-channels, chart-terminals, dashboard-as-of
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Card, Col, Empty, Row, Space, Statistic, Typography } from 'antd';
import type { z } from 'zod';
import { getDashboardRoute } from '@shared/api/console';
import { formatYuan } from '@shared/money';
import { Chart, CHART_GRID, type ChartOption } from '../components/Chart';
import { ErrorAlert, timeText, useConsole } from '../console-context';
import { useI18n } from '../i18n';

type Figures = z.output<typeof getDashboardRoute.response>;

const CHANNELS: Record<string, [string, string]> = { wechat: ['微信支付', 'WeChat Pay'], alipay: ['支付宝', 'Alipay'], bank: ['银行卡圈存', 'Bank transfer'], cash_desk: ['现金（卡务中心）', 'Cash desk'] };
const REFRESH_MS = 60_000;

export function Dashboard() {
  const { client } = useConsole();
  const { t, lang } = useI18n();
  const [figures, setFigures] = useState<Figures>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(async () => {
    try {
      setFigures(await client.call(getDashboardRoute, {}));
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  }, [client]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const at = lang === 'zh' ? 0 : 1;
  const charts = useMemo(() => {
    if (!figures) return undefined;
    const merchants = [...figures.turnover.byMerchant].sort((a, b) => b.paymentsFen - a.paymentsFen).slice(0, 10);
    const merchantsOption: ChartOption = {
      tooltip: { trigger: 'axis', valueFormatter: (v) => `¥${Number(v).toFixed(2)}` },
      grid: CHART_GRID,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: merchants.map((m) => m.name) },
      series: [{ type: 'bar', name: t('turnover'), data: merchants.map((m) => m.paymentsFen / 100), itemStyle: { color: '#1677ff' } }],
    };
    const channelsOption: ChartOption = {
      tooltip: { trigger: 'item', valueFormatter: (v) => `¥${Number(v).toFixed(2)}` },
      legend: { bottom: 0 },
      series: [{ type: 'pie', radius: ['40%', '68%'], center: ['50%', '45%'], label: { show: false }, data: figures.topups.byChannel.filter((c) => c.amountFen > 0).map((c) => ({ name: CHANNELS[c.channel]?.[at] ?? c.channel, value: c.amountFen / 100 })) }],
    };
    const { online, offline, disabled, pendingActivation } = figures.terminals;
    const terminalsOption: ChartOption = {
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['40%', '68%'],
          center: ['50%', '45%'],
          label: { show: false },
          // Empty slices are left out of the legend's colours and the tooltip.
          data: [
            { name: t('online'), value: online, itemStyle: { color: '#52c41a' } },
            { name: t('offline'), value: offline, itemStyle: { color: '#ff4d4f' } },
            { name: t('disabled'), value: disabled, itemStyle: { color: '#bfbfbf' } },
            { name: t('pendingActivation'), value: pendingActivation, itemStyle: { color: '#faad14' } },
          ].filter((slice) => slice.value > 0),
        },
      ],
    };
    return { merchantsOption, channelsOption, terminalsOption };
  }, [figures, t, at]);

  return (
    <div data-testid="dashboard">
      <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('menuDashboard')} {figures ? figures.campusDay : ''}
        </Typography.Title>
        <Space>
          {figures && (
            <Typography.Text type="secondary" data-testid="dashboard-as-of">
              {t('asOf')} {timeText(figures.asOf)}
            </Typography.Text>
          )}
          <Button data-testid="dashboard-refresh" onClick={() => void load()}>
            {t('refresh')}
          </Button>
        </Space>
      </Space>
      <ErrorAlert error={error} testId="dashboard-error" />
      {figures && charts && (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Row gutter={[16, 16]}>
            <Stat span={6} testId="stat-turnover" title={t('turnoverToday')} value={`¥${formatYuan(figures.turnover.netFen)}`} note={`${figures.turnover.count} ${t('payments')} · ${t('refunds')} ¥${formatYuan(figures.turnover.refundsFen)}`} />
            <Stat span={6} testId="stat-topups" title={t('topupsToday')} value={`¥${formatYuan(figures.topups.totalFen)}`} note={`${figures.topups.count} ${t('payments')}`} />
            <Stat span={3} testId="stat-terminals-online" title={t('online')} value={String(figures.terminals.online)} note={`${figures.terminals.onlineWithinMinutes} ${t('minutes')}`} color="#389e0d" />
            <Stat span={3} testId="stat-terminals-offline" title={t('offline')} value={String(figures.terminals.offline)} color={figures.terminals.offline > 0 ? '#cf1322' : undefined} />
            <Stat span={3} testId="stat-frozen" title={t('frozenAccounts')} value={String(figures.frozenAccounts)} />
            <Stat span={3} testId="stat-findings" title={t('openFindings')} value={String(figures.openFindings)} color={figures.openFindings > 0 ? '#d46b08' : undefined} />
          </Row>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}>
              <Card title={t('turnoverByMerchant')} size="small">
                {figures.turnover.byMerchant.some((m) => m.paymentsFen > 0) ? (
                  <Chart testId="chart-merchants" option={charts.merchantsOption} height={300} />
                ) : (
                  <Empty data-testid="chart-merchants-empty" style={{ height: 300, paddingTop: 100 }} description={t('noTurnover')} />
                )}
              </Card>
            </Col>
            <Col xs={12} xl={6}>
              <Card title={t('topupsByChannel')} size="small">
                {figures.topups.totalFen > 0 ? <Chart testId="chart-channels" option={charts.channelsOption} height={300} /> : <Empty style={{ height: 300, paddingTop: 100 }} description={t('noTopups')} />}
              </Card>
            </Col>
            <Col xs={12} xl={6}>
              <Card title={t('terminals')} size="small">
                <Chart testId="chart-terminals" option={charts.terminalsOption} height={300} />
              </Card>
            </Col>
          </Row>
        </Space>
      )}
    </div>
  );
}

function Stat({ span, testId, title, value, note, color }: { span: number; testId: string; title: string; value: string; note?: string; color?: string }) {
  return (
    <Col xs={12} xl={span}>
      <Card size="small" style={{ height: '100%' }}>
        <Statistic title={title} value={value} styles={{ content: { color, fontVariantNumeric: 'tabular-nums' } }} />
        <span data-testid={testId} hidden>
          {value}
        </span>
        {note && <Typography.Text type="secondary">{note}</Typography.Text>}
      </Card>
    </Col>
  );
}
