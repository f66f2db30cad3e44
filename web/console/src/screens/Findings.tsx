/**
 * The open findings (GET /v1/admin/reconciliation-findings), oldest first, page by page: the findings
 * part of the reconciliation queue (screens/Queue.tsx). Each resolved (adjusted, refunded, no action)
 * through the ReasonDialog, after which it leaves the list.
 *
 * data-testids: findings-table, finding-row, finding-resolve-<findingId>, findings-more, findings-error,
 *   resolve-dialog (the ReasonDialog), resolve-summary, resolve-resolution, resolve-reason, resolve-confirm, resolve-cancel, resolve-error
 */
import { useCallback, useState } from 'react';
import { Button, Card, Select, Table, Typography } from 'antd';
import type { z } from 'zod';
import { listReconciliationFindings, resolveReconciliationFinding } from '@shared/api/admin';
import { FINDING_RESOLUTIONS } from '@shared/vocabulary';
import { ReasonDialog } from '../components/ReasonDialog';
import { allowed, ErrorAlert, timeText, useConsole, yuan } from '../console-context';
import { useI18n } from '../i18n';
import { usePagedList } from '../paged-list';

type Finding = z.output<typeof listReconciliationFindings.response>['findings'][number];

/** The queue's held offline record (functions/services/admin/reconciliation-queue.ts isHeldOffline). */
const isHeldOffline = (f: Finding) => f.source === 'offline_upload' && f.kind === 'offline_record_held';

/** The findings table; `embedded` in the reconciliation queue's findings tab, which hears of each resolution to count again. */
export function Findings({ embedded, onResolved }: { embedded?: boolean; onResolved?(): void } = {}) {
  const { client, session } = useConsole();
  const { t, name } = useI18n();
  const [resolving, setResolving] = useState<Finding>();
  const readOnly = !allowed(resolveReconciliationFinding, session.role);
  const fetchPage = useCallback((cursor: string | undefined) => client.call(listReconciliationFindings, { query: cursor ? { cursor } : {} }), [client]);
  // In the queue a held offline record is its own tab, approved or rejected there (that charges or drops it), so it is left out here.
  const { items: findings, cursor, busy, error, more, setItems: setFindings } = usePagedList(fetchPage, (page) => (embedded ? page.findings.filter((f) => !isHeldOffline(f)) : page.findings));

  const fen = (v?: number) => (v === undefined ? '—' : yuan(v));
  return (
    <Card title={embedded ? undefined : t('menuFindings')} variant={embedded ? 'borderless' : undefined} styles={embedded ? { body: { padding: 0 } } : undefined}>
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
        <Button style={{ marginTop: 12 }} data-testid="findings-more" onClick={() => void more()} loading={busy}>
          {t('loadMore')}
        </Button>
      )}
      {resolving && (
        <ResolveDialog
          finding={resolving}
          onClose={(resolved) => {
            setResolving(undefined);
            if (resolved) {
              setFindings((all) => all.filter((f) => f.findingId !== resolved.findingId));
              onResolved?.();
            }
          }}
        />
      )}
    </Card>
  );
}

/** The testids the end-to-end and component tests know the resolve dialog by. */
const RESOLVE_TEST_IDS = { dialog: 'resolve-dialog', summary: 'resolve-summary', input: 'resolve-reason', confirm: 'resolve-confirm', cancel: 'resolve-cancel', error: 'resolve-error' };

function ResolveDialog({ finding, onClose }: { finding: Finding; onClose(resolved?: Finding): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [resolution, setResolution] = useState<(typeof FINDING_RESOLUTIONS)[number]>('no_action');
  const fen = (v?: number) => (v === undefined ? '—' : yuan(v));
  return (
    <ReasonDialog
      title={`${t('resolve')} · ${name(finding.kind)} ${finding.ref}`}
      summary={`${name(finding.source)} · ${finding.day} · ${finding.detail}（${t('outside')} ${fen(finding.outsideFen)} / ${t('ours')} ${fen(finding.oursFen)}）`}
      testIds={RESOLVE_TEST_IDS}
      onConfirm={async (reason) => onClose(await client.call(resolveReconciliationFinding, { params: { findingId: finding.findingId }, body: { resolution, reason } }))}
      onCancel={() => onClose()}
    >
      <div>
        <Typography.Text strong>{t('resolution')}</Typography.Text>
        <Select data-testid="resolve-resolution" style={{ width: '100%' }} value={resolution} onChange={setResolution} options={FINDING_RESOLUTIONS.map((value) => ({ value, label: name(value) }))} />
      </div>
    </ReasonDialog>
  );
}
