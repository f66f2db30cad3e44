/**
 * Batch issue (批量开户) from the registrar's or HR's list: choose the file (.xlsx, or CSV as Excel
 * saves it, GBK or UTF-8: the server tells them apart by the bytes, so the page sends the bytes
 * untouched, base64, as `file`), preview it (dryRun: nothing written), import it, and save the
 * rejected rows as the server's CSV report. Re-importing the same list is safe: its rows come back
 * unchanged.
 *
 * data-testids: import-kind, import-file, import-file-name, import-reason, import-preview, import-run,
 *   import-error, import-result, import-mode, import-format, import-count-<rows|created|unchanged|updated|rejected>,
 *   import-rejected-table, import-rejected-row-<line>, import-accounts-table, import-download
 */
import { useState } from 'react';
import { Alert, Button, Card, Input, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { z } from 'zod';
import { importAccounts, importKind } from '@shared/api/admin';
import { ApiError } from '../api';
import { allowed, ErrorAlert, useConsole } from '../console-context';
import { useI18n } from '../i18n';
import { campusToday } from './AuditLog';

type Report = z.output<typeof importAccounts.response>;
type Kind = z.output<typeof importKind>;
type Rejected = Report['rejected'][number];
type Row = Report['accounts'][number];

const OUTCOME_COLORS: Record<string, string> = { created: 'green', unchanged: 'default', updated: 'blue' };

/** The file's bytes as base64, through FileReader (what every browser has; the data URL's tail is the base64). */
export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsDataURL(file);
  });
}

export function rejectedReportName(now = new Date()): string {
  return `导入被拒行-${campusToday(now)}.csv`;
}

export function Import() {
  const { client, session } = useConsole();
  const { t, name, lang } = useI18n();
  const [kind, setKind] = useState<Kind>('registrar');
  const [file, setFile] = useState<File>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<'preview' | 'import'>();
  const [error, setError] = useState<unknown>();
  const [report, setReport] = useState<Report>();
  const mayImport = allowed(importAccounts, session.role);

  async function send(dryRun: boolean) {
    if (!file) return;
    if (!dryRun && reason.trim().length < 2) {
      setError(new ApiError(0, 'REASON_REQUIRED', '请写明原因（至少 2 个字）', 'Say why (at least 2 characters)'));
      return;
    }
    setBusy(dryRun ? 'preview' : 'import');
    setError(undefined);
    try {
      const bytes = await readBase64(file);
      setReport(await client.call(importAccounts, { body: { kind, file: bytes, dryRun, ...(dryRun ? {} : { reason: reason.trim() }) } }));
    } catch (caught) {
      setReport(undefined);
      setError(caught);
    } finally {
      setBusy(undefined);
    }
  }

  function download() {
    if (!report) return;
    // rejectedCsv carries its own BOM (Excel on Chinese Windows reads a CSV without one as GBK).
    const url = URL.createObjectURL(new Blob([report.rejectedCsv], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = rejectedReportName();
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <Card title={t('menuImport')}>
      <Typography.Paragraph type="secondary">{t('importHint')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select<Kind>
          data-testid="import-kind"
          value={kind}
          onChange={(value) => {
            setKind(value);
            setReport(undefined);
          }}
          style={{ width: 200 }}
          options={importKind.options.map((value) => ({ value, label: name(value) }))}
        />
        <label>
          <input
            type="file"
            data-testid="import-file"
            accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            style={{ display: 'none' }}
            onChange={(e) => {
              setFile(e.target.files?.[0]);
              setReport(undefined);
              setError(undefined);
              e.target.value = '';
            }}
          />
          <Button onClick={(e) => (e.currentTarget.parentElement?.querySelector('input') as HTMLInputElement | null)?.click()}>{t('chooseFile')}</Button>
        </label>
        <Typography.Text data-testid="import-file-name">{file ? file.name : t('noFileChosen')}</Typography.Text>
      </Space>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input data-testid="import-reason" placeholder={t('reasonHint')} value={reason} onChange={(e) => setReason(e.target.value)} style={{ width: 320 }} maxLength={200} />
        <Button data-testid="import-preview" disabled={!file || !mayImport} loading={busy === 'preview'} onClick={() => void send(true)}>
          {t('importPreview')}
        </Button>
        <Button type="primary" data-testid="import-run" disabled={!file || !mayImport} loading={busy === 'import'} onClick={() => void send(false)}>
          {t('importRun')}
        </Button>
      </Space>
      <ErrorAlert error={error} testId="import-error" />
      {report && (
        <div data-testid="import-result" data-dry-run={String(report.dryRun)}>
          <Alert
            type={report.dryRun ? 'info' : 'success'}
            showIcon
            data-testid="import-mode"
            title={report.dryRun ? t('importPreviewNote') : t('importDoneNote')}
            style={{ marginBottom: 12 }}
          />
          <Space size={32} wrap style={{ marginBottom: 12 }}>
            {(['rows', 'created', 'unchanged', 'updated'] as const).map((key) => (
              <div key={key} data-testid={`import-count-${key}`}>
                <Statistic title={t(`importCount_${key}`)} value={report[key]} />
              </div>
            ))}
            <div data-testid="import-count-rejected">
              <Statistic title={t('importCount_rejected')} value={report.rejected.length} styles={{ content: report.rejected.length > 0 ? { color: '#cf1322' } : undefined }} />
            </div>
            <Typography.Text type="secondary" data-testid="import-format">
              {t('importFormat')}：{name(report.format)}
            </Typography.Text>
          </Space>
          <Card
            size="small"
            title={`${t('importRejected')}（${report.rejected.length}）`}
            style={{ marginBottom: 12 }}
            extra={
              <Button data-testid="import-download" disabled={report.rejected.length === 0} onClick={download}>
                {t('importDownload')}
              </Button>
            }
          >
            <Table<Rejected>
              data-testid="import-rejected-table"
              size="small"
              rowKey="line"
              pagination={false}
              dataSource={report.rejected}
              onRow={(row) => ({ 'data-testid': `import-rejected-row-${row.line}` }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                { title: t('importLine'), dataIndex: 'line', width: 80 },
                { title: t('personId'), dataIndex: 'personId', width: 140, render: (v?: string) => v ?? '—' },
                { title: t('holder'), key: 'name', width: 120, render: (_: unknown, row) => row.values?.name ?? '—' },
                { title: t('reason'), key: 'reasons', render: (_: unknown, row) => (lang === 'zh' ? row.reasonsZh : row.reasons).join('；') },
              ]}
            />
          </Card>
          <Card size="small" title={`${t('importAccepted')}（${report.accounts.length}）`}>
            <Table<Row>
              data-testid="import-accounts-table"
              size="small"
              rowKey="line"
              pagination={{ pageSize: 50, showSizeChanger: false, hideOnSinglePage: true }}
              dataSource={report.accounts}
              columns={[
                { title: t('importLine'), dataIndex: 'line', width: 80 },
                { title: t('personId'), dataIndex: 'personId' },
                { title: t('account'), dataIndex: 'accountNo', render: (v?: string) => v ?? t('importNoAccountYet') },
                { title: t('importOutcome'), dataIndex: 'outcome', render: (v: string) => <Tag color={OUTCOME_COLORS[v]}>{name(v)}</Tag> },
              ]}
            />
          </Card>
        </div>
      )}
    </Card>
  );
}
