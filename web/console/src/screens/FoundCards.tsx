/**
 * Found cards (拾卡登记, GET /v1/admin/found-cards; docs/lost-and-found.md): cards finders reported at
 * a kiosk or in the app, waiting (newest first) or collected. One is marked collected when its owner
 * takes it back, with a reason, through the ReasonDialog (in the action log); the list is read again.
 *
 * data-testids: found-tabs, found-tab-open, found-tab-collected, found-table, found-row-<foundId>,
 *   found-status-<foundId> (data-status), found-collect-<foundId>, found-more, found-error, found-refresh;
 *   the dialog: reason-dialog (ReasonDialog's)
 */
import { useCallback, useState } from 'react';
import { Button, Card, Space, Table, Tabs, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { z } from 'zod';
import { collectFoundCardRoute, listFoundCardsRoute } from '@shared/api/lost-found';
import { ReasonDialog } from '../components/ReasonDialog';
import { allowed, ErrorAlert, timeText, useConsole } from '../console-context';
import { useI18n } from '../i18n';
import { usePagedList } from '../paged-list';

type Page = z.output<typeof listFoundCardsRoute.response>;
type FoundCard = Page['foundCards'][number];
type State = 'open' | 'collected';

export function FoundCards() {
  const { client, session } = useConsole();
  const { t, name } = useI18n();
  const [state, setState] = useState<State>('open');
  const [collecting, setCollecting] = useState<FoundCard>();
  const fetchPage = useCallback((cursor: string | undefined) => client.call(listFoundCardsRoute, { query: { state, cursor } }), [client, state]);
  const { items: found, cursor, busy, error, reload, more } = usePagedList(fetchPage, (answer) => answer.foundCards);

  const mayCollect = allowed(collectFoundCardRoute, session.role);

  return (
    <Card
      title={t('menuFoundCards')}
      extra={
        <Button data-testid="found-refresh" onClick={() => void reload()} loading={busy}>
          {t('refresh')}
        </Button>
      }
    >
      <Tabs
        data-testid="found-tabs"
        activeKey={state}
        onChange={(key) => setState(key as State)}
        items={[
          { key: 'open', label: <span data-testid="found-tab-open">{t('foundOpen')}</span> },
          { key: 'collected', label: <span data-testid="found-tab-collected">{t('foundCollected')}</span> },
        ]}
      />
      <ErrorAlert error={error} testId="found-error" />
      <Table
        data-testid="found-table"
        size="small"
        rowKey="foundId"
        loading={busy}
        dataSource={found}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: t('foundCardsEmpty') }}
        onRow={(item) => ({ 'data-testid': `found-row-${item.foundId}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('foundReportedAt'), dataIndex: 'reportedAt', width: 160, render: (v: string) => timeText(v) },
          {
            title: t('account'),
            key: 'account',
            width: 150,
            render: (_: unknown, item: FoundCard) => (
              <Space orientation="vertical" size={0}>
                <Link to={`/accounts/${item.accountNo}`}>{item.accountNo}</Link>
                {item.holderDisplayName && <Typography.Text type="secondary">{item.holderDisplayName}</Typography.Text>}
              </Space>
            ),
          },
          { title: t('foundStatusThen'), dataIndex: 'accountStatusThen', width: 110, render: (v: string) => <Tag>{name(v)}</Tag> },
          {
            title: t('foundBy'),
            key: 'by',
            width: 180,
            render: (_: unknown, item: FoundCard) => (
              <Space orientation="vertical" size={0}>
                <Typography.Text>{t(item.via === 'kiosk' ? 'foundViaKiosk' : 'foundViaApp')}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {item.via === 'kiosk' ? item.terminalId : item.reporterAccountNo}
                </Typography.Text>
              </Space>
            ),
          },
          { title: t('foundCollectAt'), dataIndex: 'collectAt' },
          {
            title: t('status'),
            key: 'status',
            width: 200,
            render: (_: unknown, item: FoundCard) => (
              <Space orientation="vertical" size={0} data-testid={`found-status-${item.foundId}`} data-status={item.status}>
                <Tag color={item.status === 'open' ? 'orange' : 'green'}>{t(item.status === 'open' ? 'foundOpen' : 'foundCollected')}</Tag>
                {item.collectReason && <Typography.Text>{item.collectReason}</Typography.Text>}
                {item.collectedBy && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('resolvedBy')} {item.collectedBy} · {item.collectedAt ? timeText(item.collectedAt) : ''}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          {
            title: t('markCollected'),
            key: 'actions',
            width: 120,
            render: (_: unknown, item: FoundCard) =>
              item.status === 'open' ? (
                <Button size="small" type="primary" data-testid={`found-collect-${item.foundId}`} disabled={!mayCollect} onClick={() => setCollecting(item)}>
                  {t('markCollected')}
                </Button>
              ) : (
                '—'
              ),
          },
        ]}
      />
      {cursor && (
        <Button style={{ marginTop: 12 }} data-testid="found-more" onClick={() => void more()} loading={busy}>
          {t('loadMore')}
        </Button>
      )}
      {collecting && (
        <ReasonDialog
          title={`${t('markCollected')} · ${collecting.accountNo}`}
          summary={
            <>
              {t('whatCollectFoundCard')}
              <br />
              <Typography.Text type="secondary">{[collecting.holderDisplayName ?? collecting.accountNo, collecting.cardId, collecting.collectAt].join(' · ')}</Typography.Text>
            </>
          }
          onConfirm={async (reason) => {
            await client.call(collectFoundCardRoute, { params: { foundId: collecting.foundId }, body: { reason } });
            setCollecting(undefined);
            void reload();
          }}
          onCancel={() => setCollecting(undefined)}
        />
      )}
    </Card>
  );
}
