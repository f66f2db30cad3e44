/**
 * The reconciliation queue (GET /v1/admin/reconciliation-findings): open findings, oldest first, page
 * by page; each resolved (adjusted, refunded, no action) with a required reason, after which it
 * leaves the queue.
 *
 * data-testids: findings-table, finding-row, finding-resolve-<findingId>, findings-more, findings-error,
 *   resolve-dialog, resolve-resolution, resolve-reason, resolve-confirm, resolve-error
 */
import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Input, Modal, Select, Space, Table, Typography } from 'antd';
import type { z } from 'zod';
import { listReconciliationFindings, resolveReconciliationFinding } from '@shared/api/admin';
import { FINDING_RESOLUTIONS } from '@shared/vocabulary';
import { ApiError } from '../api';
import { allowed, ErrorAlert, timeText, useConsole, yuan } from '../console-context';
import { useI18n } from '../i18n';

type Finding = z.output<typeof listReconciliationFindings.response>['findings'][number];

export function Findings() {
  const { client, session } = useConsole();
  const { t, name } = useI18n();
  const [findings, setFindings] = useState<Finding[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [resolving, setResolving] = useState<Finding>();
  const readOnly = !allowed(resolveReconciliationFinding, session.role);

  const load = useCallback(
    async (after?: string) => {
      setBusy(true);
      setError(undefined);
      try {
        const page = await client.call(listReconciliationFindings, { query: after ? { cursor: after } : {} });
        setFindings((previous) => (after ? [...previous, ...page.findings] : page.findings));
        setCursor(page.nextCursor);
      } catch (caught) {
        setError(caught);
      } finally {
        setBusy(false);
      }
    },
    [client],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const fen = (v?: number) => (v === undefined ? '—' : yuan(v));
  return (
    <Card title={t('menuFindings')}>
      <ErrorAlert error={error} testId="findings-error" />
      <Table
        data-testid="findings-table"
        size="small"
        rowKey="findingId"
        loading={busy}
        dataSource={findings}
        pagination={false}
        locale={{ emptyText: t('noFindings') }}
        onRow={() => ({ 'data-testid': 'finding-row' }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('day'), dataIndex: 'day', width: 110 },
          { title: t('source'), dataIndex: 'source', width: 130, render: (v: string) => name(v) },
          { title: t('kind'), dataIndex: 'kind', width: 130, render: (v: string) => name(v) },
          { title: t('account'), dataIndex: 'accountNo', width: 110, render: (v?: string) => v ?? '—' },
          { title: t('outside'), dataIndex: 'outsideFen', width: 100, render: fen },
          { title: t('ours'), dataIndex: 'oursFen', width: 100, render: fen },
          { title: t('details'), dataIndex: 'detail', render: (v: string, f: Finding) => <Typography.Text title={f.ref}>{v}</Typography.Text> },
          { title: t('time'), dataIndex: 'createdAt', width: 170, render: (v: string) => timeText(v) },
          {
            title: t('resolve'),
            key: 'resolve',
            width: 90,
            render: (_: unknown, f: Finding) => (
              <Button size="small" data-testid={`finding-resolve-${f.findingId}`} disabled={readOnly || f.status !== 'open'} onClick={() => setResolving(f)}>
                {t('resolve')}
              </Button>
            ),
          },
        ]}
      />
      {cursor && (
        <Button style={{ marginTop: 12 }} data-testid="findings-more" onClick={() => void load(cursor)} loading={busy}>
          {t('loadMore')}
        </Button>
      )}
      {resolving && (
        <ResolveDialog
          finding={resolving}
          onClose={(resolved) => {
            setResolving(undefined);
            if (resolved) setFindings((all) => all.filter((f) => f.findingId !== resolved.findingId));
          }}
        />
      )}
    </Card>
  );
}

function ResolveDialog({ finding, onClose }: { finding: Finding; onClose(resolved?: Finding): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [resolution, setResolution] = useState<(typeof FINDING_RESOLUTIONS)[number]>('no_action');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function confirm() {
    if (reason.trim().length < 2) {
      setError(new ApiError(0, 'REASON_REQUIRED', '请写明原因（至少 2 个字）', 'Say why (at least 2 characters)'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      onClose(await client.call(resolveReconciliationFinding, { params: { findingId: finding.findingId }, body: { resolution, reason } }));
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }
  return (
    <Modal
      open
      data-testid="resolve-dialog"
      title={`${t('resolve')} · ${name(finding.kind)} ${finding.ref}`}
      onCancel={() => onClose()}
      mask={{ closable: false }}
      footer={
        <Space>
          <Button onClick={() => onClose()}>{t('cancel')}</Button>
          <Button type="primary" loading={busy} data-testid="resolve-confirm" onClick={() => void confirm()}>
            {t('confirm')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <ErrorAlert error={error} testId="resolve-error" />
        <Typography.Text>{finding.detail}</Typography.Text>
        <Typography.Text strong>{t('resolution')}</Typography.Text>
        <Select data-testid="resolve-resolution" style={{ width: '100%' }} value={resolution} onChange={setResolution} options={FINDING_RESOLUTIONS.map((value) => ({ value, label: name(value) }))} />
        <Typography.Text strong>{t('reason')}</Typography.Text>
        <Input.TextArea data-testid="resolve-reason" rows={2} maxLength={200} placeholder={t('reasonHint')} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Space>
    </Modal>
  );
}
