/**
 * The staff action log (GET /v1/admin/audit): the API answers one campus day at a time, by pages, so
 * a date range (at most 31 days) is every page of every day in it; filtered here by action, staff
 * member and target (an account, a merchant, a terminal), and what is shown exported as CSV written
 * with csv-stringify (UTF-8 with a BOM, so Excel on Chinese Windows keeps the names; CRLF; a cell
 * that Excel would run as a formula is prefixed with an apostrophe).
 *
 * data-testids: audit-day (from), audit-day-to, audit-action, audit-who, audit-target, audit-reload,
 *   audit-export, audit-table, audit-row, audit-error, audit-count, audit-range-problem
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Card, Input, Select, Space, Table, Typography } from 'antd';
import { stringify } from 'csv-stringify/browser/esm/sync';
import type { z } from 'zod';
import { listAuditLog } from '@shared/api/admin';
import { ACTION_LOG_ACTIONS } from '@shared/vocabulary';
import { ErrorAlert, timeText, useConsole } from '../console-context';
import { useI18n } from '../i18n';

type Entry = z.output<typeof listAuditLog.response>['entries'][number];

/** The campus day now (Asia/Shanghai), YYYY-MM-DD. */
export function campusToday(now = new Date()): string {
  return now.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

const MAX_PAGES = 20;
/** The longest range loaded at once: a month of days, each its own requests. */
export const MAX_RANGE_DAYS = 31;

/** The campus days from..to, inclusive; undefined when the range is backwards or longer than MAX_RANGE_DAYS. */
export function daysBetween(from: string, to: string): string[] | undefined {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00.000Z`); at <= Date.parse(`${to}T00:00:00.000Z`); at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10));
    if (days.length > MAX_RANGE_DAYS) return undefined;
  }
  return days.length > 0 ? days : undefined;
}

function detailText(details: Entry['details']): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('|') : String(value)}`)
    .join(' ');
}

export function auditCsv(entries: Entry[]): string {
  const rows = [['at', 'who', 'role', 'action', 'target', 'reason', 'details'], ...entries.map((e) => [e.at, e.who, e.role, e.action, e.target, e.reason, detailText(e.details)])];
  return stringify(rows, { bom: true, record_delimiter: 'windows', escape_formulas: true });
}

export function AuditLog() {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [day, setDay] = useState(campusToday);
  const [to, setTo] = useState(campusToday);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [action, setAction] = useState<string>();
  const [who, setWho] = useState('');
  const [target, setTarget] = useState('');

  const days = useMemo(() => daysBetween(day, to), [day, to]);
  const load = useCallback(async () => {
    if (!days) return;
    setBusy(true);
    setError(undefined);
    try {
      const all: Entry[] = [];
      for (const one of days) {
        let cursor: string | undefined;
        for (let page = 0; page < MAX_PAGES; page++) {
          const answer = await client.call(listAuditLog, { query: { day: one, limit: 500, ...(cursor ? { cursor } : {}) } });
          all.push(...answer.entries);
          cursor = answer.nextCursor;
          if (!cursor) break;
        }
      }
      setEntries(all);
    } catch (caught) {
      setEntries([]);
      setError(caught);
    } finally {
      setBusy(false);
    }
  }, [client, days]);
  useEffect(() => {
    void load();
  }, [load]);

  const shown = useMemo(
    () =>
      entries.filter(
        (e) => (!action || e.action === action) && (!who.trim() || e.who.includes(who.trim())) && (!target.trim() || e.target.includes(target.trim())),
      ),
    [entries, action, who, target],
  );

  function exportCsv() {
    const url = URL.createObjectURL(new Blob([auditCsv(shown)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = day === to ? `action-log-${day}.csv` : `action-log-${day}_${to}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <Card title={t('menuAudit')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input
          type="date"
          data-testid="audit-day"
          value={day}
          onChange={(e) => {
            const from = e.target.value;
            if (!from) return;
            setDay(from);
            // A first day after the last, or more than a month before it, moves the last day to it.
            if (from > to || daysBetween(from, to) === undefined) setTo(from);
          }}
          style={{ width: 160 }}
        />
        <span>–</span>
        <Input type="date" data-testid="audit-day-to" value={to} min={day} onChange={(e) => e.target.value && setTo(e.target.value)} style={{ width: 160 }} status={days ? undefined : 'error'} />
        <Select
          data-testid="audit-action"
          allowClear
          showSearch
          placeholder={t('filterAction')}
          style={{ width: 220 }}
          value={action}
          onChange={(value?: string) => setAction(value)}
          options={ACTION_LOG_ACTIONS.map((value) => ({ value, label: value }))}
        />
        <Input data-testid="audit-who" placeholder={t('filterWho')} value={who} onChange={(e) => setWho(e.target.value)} style={{ width: 160 }} allowClear />
        <Input data-testid="audit-target" placeholder={t('filterTarget')} value={target} onChange={(e) => setTarget(e.target.value)} style={{ width: 180 }} allowClear />
        <Button data-testid="audit-reload" onClick={() => void load()} loading={busy}>
          {t('search')}
        </Button>
        <Button data-testid="audit-export" onClick={exportCsv} disabled={shown.length === 0}>
          {t('exportCsv')}
        </Button>
        <Typography.Text type="secondary" data-testid="audit-count">
          {shown.length} / {entries.length}
        </Typography.Text>
      </Space>
      {!days && (
        <Typography.Paragraph type="danger" data-testid="audit-range-problem">
          {t('rangeTooLong')}
        </Typography.Paragraph>
      )}
      <ErrorAlert error={error} testId="audit-error" />
      <Table
        data-testid="audit-table"
        size="small"
        rowKey="auditId"
        loading={busy}
        dataSource={shown}
        pagination={{ pageSize: 50, showSizeChanger: false }}
        tableLayout="fixed"
        onRow={() => ({ 'data-testid': 'audit-row' }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('time'), dataIndex: 'at', width: 170, render: (v: string) => timeText(v) },
          { title: t('who'), dataIndex: 'who', width: 120 },
          { title: t('role'), dataIndex: 'role', width: 110, render: (v: string) => name(v) },
          { title: t('action'), dataIndex: 'action', width: 170 },
          { title: t('target'), dataIndex: 'target', width: 140 },
          { title: t('reason'), dataIndex: 'reason', width: 220 },
          // Details can be long (a terminal's place and expiry): one line, the whole text on hover and in the CSV.
          { title: t('details'), dataIndex: 'details', ellipsis: { showTitle: true }, render: (v: Entry['details']) => <Typography.Text type="secondary">{detailText(v)}</Typography.Text> },
        ]}
      />
    </Card>
  );
}
