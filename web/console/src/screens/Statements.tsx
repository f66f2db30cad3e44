/**
 * Settlement statements (结算对账, docs/settlement.md): every merchant's statement of the period
 * containing a day, or one merchant's statements; a statement's days, adjustments and payout; its CSV
 * and the whole period's CSV as the server wrote them (UTF-8 with BOM, so Excel on Chinese Windows
 * keeps the names); finance marks a closed statement paid with the bank's reference, and closes a
 * period now (关账) instead of waiting for the scheduled close. Each action takes a reason.
 *
 * data-testids: statements-mode, statements-period-kind, statements-day, statements-merchant,
 *   statements-table, statement-row-<statementId>, statement-csv-<statementId>, statement-pay-<statementId>,
 *   statements-export, statements-close, statements-error, statements-count, chart-statement-days,
 *   chart-statement-merchants, statement-detail, statement-days-table, statement-payout,
 *   pay-bank-reference, close-result
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Card, Col, Descriptions, Drawer, Empty, Input, Row, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import type { z } from 'zod';
import { listMerchantsRoute } from '@shared/api/merchants';
import { closeStatementPeriodRoute, exportStatements, getStatement, getStatementCsv, listStatements, payStatement } from '@shared/api/settlement';
import { SETTLEMENT_PERIODS, type SettlementPeriod } from '@shared/vocabulary';
import type { ConsoleClient } from '../api';
import { Chart, CHART_GRID, type ChartOption } from '../components/Chart';
import { ReasonDialog } from '../components/ReasonDialog';
import { allowed, ErrorAlert, timeText, useConsole, yuan } from '../console-context';
import { useI18n } from '../i18n';
import { campusToday } from './AuditLog';

type Summary = z.output<typeof listStatements.response>['statements'][number];
type Statement = z.output<typeof getStatement.response>;
type Merchant = z.output<typeof listMerchantsRoute.response>['merchants'][number];
type Closing = z.output<typeof closeStatementPeriodRoute.response>;
type Mode = 'period' | 'merchant';

const STATUS_COLORS: Record<string, string> = { closed: 'orange', paid: 'green', nothing_to_pay: 'default', report: 'blue' };
/** Details fetched for the per-day chart: a campus has tens of merchants, not hundreds. */
const MAX_DETAILS = 60;

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The first day of the period of `kind` containing `day` (as the server counts: Monday weeks, calendar months). */
export function periodStart(kind: SettlementPeriod, day: string): string {
  if (kind === 'daily') return day;
  if (kind === 'weekly') return addDays(day, -((new Date(`${day}T00:00:00.000Z`).getUTCDay() + 6) % 7));
  return `${day.slice(0, 8)}01`;
}

/** The last day of that period. */
export function periodEnd(kind: SettlementPeriod, day: string): string {
  if (kind === 'daily') return day;
  if (kind === 'weekly') return addDays(periodStart(kind, day), 6);
  const [year, month] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/**
 * Saves a CSV the server made, under the settlement service's file name (the CSV routes send no
 * Content-Disposition). The fetch API's text() drops a leading byte-order mark while decoding, so it
 * is put back: the Blob's bytes are the server's (UTF-8 with BOM), and Excel reads Chinese right.
 */
export function saveCsv(text: string, name: string): Blob {
  const blob = new Blob(['\uFEFF', text.replace(/^\uFEFF/, '')], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return blob;
}

async function details(client: ConsoleClient, statements: Summary[]): Promise<Statement[]> {
  return Promise.all(statements.slice(0, MAX_DETAILS).map((s) => client.call(getStatement, { params: { statementId: s.statementId } })));
}

export function Statements() {
  const { client, session } = useConsole();
  const { t, name } = useI18n();
  const [mode, setMode] = useState<Mode>('period');
  const [periodKind, setPeriodKind] = useState<SettlementPeriod>('weekly');
  const [day, setDay] = useState(() => addDays(campusToday(), -7));
  const [merchants, setMerchants] = useState<Merchant[]>([]);
  const [merchantId, setMerchantId] = useState<string>();
  const [statements, setStatements] = useState<Summary[]>([]);
  const [daysOf, setDaysOf] = useState<Statement[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState<string>();
  const [paying, setPaying] = useState<Summary>();
  const [closing, setClosing] = useState(false);
  const [closed, setClosed] = useState<Closing>();

  useEffect(() => {
    client.call(listMerchantsRoute, {}).then(
      (answer) => {
        setMerchants(answer.merchants);
        setMerchantId((current) => current ?? answer.merchants[0]?.merchantId);
      },
      () => undefined, // the merchant picker stays empty; the statements' own refusal says why
    );
  }, [client]);

  const load = useCallback(async () => {
    if (mode === 'merchant' && !merchantId) return;
    setBusy(true);
    try {
      const query = mode === 'period' ? { periodKind, from: day } : { merchantId: merchantId! };
      const answer = await client.call(listStatements, { query });
      setStatements(answer.statements);
      setError(undefined);
      setDaysOf(await details(client, answer.statements));
    } catch (caught) {
      setStatements([]);
      setDaysOf([]);
      setError(caught);
    } finally {
      setBusy(false);
    }
  }, [client, mode, periodKind, day, merchantId]);
  useEffect(() => {
    void load();
  }, [load]);

  async function csv(statementId: string) {
    try {
      saveCsv(await client.call(getStatementCsv, { params: { statementId } }), `${statementId}.csv`);
    } catch (caught) {
      setError(caught);
    }
  }
  async function exportPeriod() {
    try {
      saveCsv(await client.call(exportStatements, { query: { periodKind, from: day } }), `statements-${periodKind}-${periodStart(periodKind, day)}.csv`);
    } catch (caught) {
      setError(caught);
    }
  }

  const charts = useMemo(() => {
    const perDay = new Map<string, number>();
    for (const statement of daysOf) for (const d of statement.days) perDay.set(d.day, (perDay.get(d.day) ?? 0) + d.turnoverFen);
    const dayList = [...perDay.keys()].sort();
    const perMerchant = new Map<string, number>();
    for (const s of statements) perMerchant.set(s.merchantName, (perMerchant.get(s.merchantName) ?? 0) + s.turnoverFen);
    const merchantList = [...perMerchant.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
    const money = (v: unknown) => `¥${Number(v).toFixed(2)}`;
    const days: ChartOption = {
      tooltip: { trigger: 'axis', valueFormatter: money },
      grid: CHART_GRID,
      xAxis: { type: 'category', data: dayList.map((d) => d.slice(5)) },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', name: t('turnover'), data: dayList.map((d) => perDay.get(d)! / 100), itemStyle: { color: '#1677ff' } }],
    };
    const byMerchant: ChartOption = {
      tooltip: { trigger: 'axis', valueFormatter: money },
      grid: CHART_GRID,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: merchantList.map(([n]) => n) },
      series: [{ type: 'bar', name: t('turnover'), data: merchantList.map(([, fen]) => fen / 100), itemStyle: { color: '#13a8a8' } }],
    };
    return { days, byMerchant, empty: statements.length === 0 };
  }, [daysOf, statements, t]);

  const mayPay = allowed(payStatement, session.role);
  const mayClose = allowed(closeStatementPeriodRoute, session.role);
  const total = statements.reduce((sum, s) => sum + s.netPayableFen, 0);
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t('menuStatements')}>
        <Space wrap style={{ marginBottom: 16 }}>
          <Segmented<Mode>
            data-testid="statements-mode"
            value={mode}
            onChange={setMode}
            options={[
              { label: t('byPeriod'), value: 'period' },
              { label: t('byMerchant'), value: 'merchant' },
            ]}
          />
          {mode === 'period' ? (
            <>
              <Select data-testid="statements-period-kind" value={periodKind} onChange={setPeriodKind} style={{ width: 110 }} options={SETTLEMENT_PERIODS.map((value) => ({ value, label: name(value) }))} />
              <Input type="date" data-testid="statements-day" value={day} onChange={(e) => e.target.value && setDay(e.target.value)} style={{ width: 160 }} />
            </>
          ) : (
            <Select
              data-testid="statements-merchant"
              showSearch
              optionFilterProp="label"
              value={merchantId}
              onChange={setMerchantId}
              style={{ width: 240 }}
              placeholder={t('merchants')}
              options={merchants.map((m) => ({ value: m.merchantId, label: `${m.name}（${m.merchantId}）` }))}
            />
          )}
          <Button onClick={() => void load()} loading={busy}>
            {t('refresh')}
          </Button>
          {mode === 'period' && (
            <Button data-testid="statements-export" onClick={() => void exportPeriod()}>
              {t('exportPeriodCsv')}
            </Button>
          )}
          {mode === 'period' && (
            <Button danger data-testid="statements-close" disabled={!mayClose} onClick={() => setClosing(true)}>
              {t('closePeriod')}
            </Button>
          )}
          <Typography.Text type="secondary" data-testid="statements-count">
            {statements.length} · {t('netPayable')} {yuan(total)}
          </Typography.Text>
        </Space>
        <ErrorAlert error={error} testId="statements-error" />
        <Table
          data-testid="statements-table"
          size="small"
          rowKey="statementId"
          loading={busy}
          dataSource={statements}
          pagination={{ pageSize: 50, showSizeChanger: false, hideOnSinglePage: true }}
          onRow={(row) => ({ 'data-testid': `statement-row-${row.statementId}`, onClick: () => setOpen(row.statementId), style: { cursor: 'pointer' } }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('merchantName'), dataIndex: 'merchantName', render: (v: string, s: Summary) => `${v}（${s.merchantId}）` },
            { title: t('period'), key: 'period', render: (_: unknown, s: Summary) => `${name(s.periodKind)} ${s.from}${s.to !== s.from ? ` – ${s.to}` : ''}` },
            { title: t('status'), dataIndex: 'status', render: (v: string) => <Tag color={STATUS_COLORS[v]}>{name(v)}</Tag> },
            { title: t('turnover'), dataIndex: 'turnoverFen', align: 'right', render: yuan },
            { title: t('refundsColumn'), dataIndex: 'refundsFen', align: 'right', render: yuan },
            { title: t('feeAmount'), dataIndex: 'feeFen', align: 'right', render: yuan },
            { title: t('netPayable'), dataIndex: 'netPayableFen', align: 'right', render: (v: number) => <Typography.Text strong>{yuan(v)}</Typography.Text> },
            {
              title: t('operations'),
              key: 'actions',
              render: (_: unknown, s: Summary) => (
                <Space onClick={(e) => e.stopPropagation()}>
                  <Button size="small" data-testid={`statement-csv-${s.statementId}`} onClick={() => void csv(s.statementId)}>
                    CSV
                  </Button>
                  {s.status === 'closed' && (
                    <Button size="small" type="primary" data-testid={`statement-pay-${s.statementId}`} disabled={!mayPay} onClick={() => setPaying(s)}>
                      {t('markPaid')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card title={t('turnoverPerDay')} size="small">
            {charts.empty ? <Empty /> : <Chart option={charts.days} testId="chart-statement-days" height={260} />}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('turnoverPerMerchant')} size="small">
            {charts.empty ? <Empty /> : <Chart option={charts.byMerchant} testId="chart-statement-merchants" height={260} />}
          </Card>
        </Col>
      </Row>
      {open && <StatementDrawer statementId={open} onClose={() => setOpen(undefined)} />}
      {paying && (
        <PayDialog
          statement={paying}
          onClose={(paid) => {
            setPaying(undefined);
            if (paid) void load();
          }}
        />
      )}
      {closing && (
        <ReasonDialog
          title={`${t('closePeriod')} · ${name(periodKind)}`}
          summary={`${t('whatClose')}${periodStart(periodKind, day)} – ${periodEnd(periodKind, day)}`}
          danger
          confirmLabel={t('closePeriod')}
          onCancel={() => setClosing(false)}
          onConfirm={async (reason) => {
            const answer = await client.call(closeStatementPeriodRoute, { body: { periodKind, from: day, reason } });
            setClosed(answer);
            void load();
          }}
          result={
            closed && (
              <Typography.Paragraph data-testid="close-result">
                {closed.period.from} – {closed.period.to}：{t('closedNow')} {closed.closed}，{t('alreadyClosed')} {closed.alreadyClosed}
              </Typography.Paragraph>
            )
          }
          onClose={() => {
            setClosing(false);
            setClosed(undefined);
          }}
        />
      )}
    </Space>
  );
}

function PayDialog({ statement, onClose }: { statement: Summary; onClose(paid?: Statement): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [bankReference, setBankReference] = useState('');
  return (
    <ReasonDialog
      title={t('markPaid')}
      summary={`${statement.merchantName} · ${name(statement.periodKind)} ${statement.from} – ${statement.to} · ${t('netPayable')} ${yuan(statement.netPayableFen)}`}
      ready={bankReference.trim() !== ''}
      onCancel={() => onClose()}
      onConfirm={async (reason) => onClose(await client.call(payStatement, { params: { statementId: statement.statementId }, body: { bankReference: bankReference.trim(), reason } }))}
    >
      <Typography.Text strong>{t('bankReference')}</Typography.Text>
      <Input data-testid="pay-bank-reference" value={bankReference} onChange={(e) => setBankReference(e.target.value)} placeholder="20261207-000123" />
    </ReasonDialog>
  );
}

function StatementDrawer({ statementId, onClose }: { statementId: string; onClose(): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [statement, setStatement] = useState<Statement>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    client.call(getStatement, { params: { statementId } }).then(setStatement, setError);
  }, [client, statementId]);
  return (
    <Drawer open size={720} title={statement ? `${statement.merchantName} · ${name(statement.periodKind)} ${statement.from} – ${statement.to}` : statementId} onClose={onClose}>
      <ErrorAlert error={error} />
      {statement && (
        <div data-testid="statement-detail">
          <Descriptions size="small" column={2} bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('status')}>
              <Tag color={STATUS_COLORS[statement.status]}>{name(statement.status)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('closedAt')}>{timeText(statement.closedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('turnover')}>{yuan(statement.turnoverFen)}</Descriptions.Item>
            <Descriptions.Item label={t('refundsColumn')}>{yuan(statement.refundsFen)}</Descriptions.Item>
            <Descriptions.Item label={t('adjustments')}>{yuan(statement.adjustmentsFen)}</Descriptions.Item>
            <Descriptions.Item label={t('netTurnover')}>{yuan(statement.netTurnoverFen)}</Descriptions.Item>
            <Descriptions.Item label={`${t('feeAmount')}（${(statement.feeRateBps / 100).toFixed(2)}%）`}>{yuan(statement.feeFen)}</Descriptions.Item>
            <Descriptions.Item label={t('netPayable')}>
              <Typography.Text strong>{yuan(statement.netPayableFen)}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('settlementAccount')} span={2}>
              {statement.settlementAccountMasked ?? '—'}
            </Descriptions.Item>
          </Descriptions>
          <Table
            data-testid="statement-days-table"
            size="small"
            rowKey="day"
            pagination={false}
            dataSource={statement.days}
            columns={[
              { title: t('day'), dataIndex: 'day' },
              { title: t('entries'), dataIndex: 'entries', align: 'right' },
              { title: t('turnover'), dataIndex: 'turnoverFen', align: 'right', render: yuan },
              { title: t('refundsColumn'), dataIndex: 'refundsFen', align: 'right', render: yuan },
              { title: t('adjustments'), dataIndex: 'adjustmentsFen', align: 'right', render: yuan },
            ]}
          />
          {statement.adjustments.length > 0 && (
            <Table
              style={{ marginTop: 16 }}
              size="small"
              rowKey="entryId"
              pagination={false}
              dataSource={statement.adjustments}
              columns={[
                { title: t('adjustments'), dataIndex: 'amountFen', align: 'right', render: yuan, width: 120 },
                { title: t('reason'), dataIndex: 'reason' },
              ]}
            />
          )}
          <Typography.Paragraph data-testid="statement-payout" style={{ marginTop: 16 }}>
            {statement.payout ? `${name('paid')}：${statement.payout.bankReference} · ${statement.payout.paidBy} · ${timeText(statement.payout.paidAt)}` : t('notPaid')}
          </Typography.Paragraph>
        </div>
      )}
    </Drawer>
  );
}
