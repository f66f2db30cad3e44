/**
 * The staff action log (GET /v1/admin/audit): a campus day's actions, every page of it, filtered here
 * by action, staff member and target, and exported as CSV (UTF-8 with a BOM, so Excel on Chinese
 * Windows opens it without garbling the names).
 *
 * data-testids: audit-day, audit-action, audit-who, audit-target, audit-reload, audit-export,
 *   audit-table, audit-row, audit-error, audit-count
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Card, Input, Select, Space, Table, Typography } from 'antd';
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

function detailText(details: Entry['details']): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('|') : String(value)}`)
    .join(' ');
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function auditCsv(entries: Entry[]): string {
  const rows = [['at', 'who', 'role', 'action', 'target', 'reason', 'details'], ...entries.map((e) => [e.at, e.who, e.role, e.action, e.target, e.reason, detailText(e.details)])];
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function AuditLog() {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [day, setDay] = useState(campusToday);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [action, setAction] = useState<string>();
  const [who, setWho] = useState('');
  const [target, setTarget] = useState('');

  const load = useCallback(async () => {
    setBusy(true);
    setError(undefined);
    try {
      const all: Entry[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await client.call(listAuditLog, { query: { day, limit: 500, ...(cursor ? { cursor } : {}) } });
        all.push(...answer.entries);
        cursor = answer.nextCursor;
        if (!cursor) break;
      }
      setEntries(all);
    } catch (caught) {
      setEntries([]);
      setError(caught);
    } finally {
      setBusy(false);
    }
  }, [client, day]);
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
    link.download = `action-log-${day}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <Card title={t('menuAudit')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input type="date" data-testid="audit-day" value={day} onChange={(e) => e.target.value && setDay(e.target.value)} style={{ width: 160 }} />
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
