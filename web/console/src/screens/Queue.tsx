/**
 * The reconciliation queue (对账待办, GET /v1/admin/reconciliation-queue): what needs a person — frozen
 * accounts and why, held offline records, open findings, pending transfers past their timeout —
 * oldest first, page by page, with a tab per kind and its count. Each item carries what resolves it:
 * an audited admin route (its path filled in: unfreeze, the held record's approve or reject, the
 * finding's resolution), done here through the ReasonDialog, after which the
 * queue is read again; or a scheduled run (its npm script) or the card's next tap, which are said.
 * The findings tab is the findings table (screens/Findings.tsx), with each finding's figures.
 *
 * data-testids: queue-tabs, queue-tab-<kind|all> (data-count), queue-table, queue-row-<kind>-<id>,
 *   queue-resolve-<kind>-<id>, queue-settles-<kind>-<id>, queue-more, queue-error, queue-refresh,
 *   queue-by-source, queue-by-pending, queue-open-disputes (data-count; a link to 争议处理); the dialog: queue-dialog, queue-summary, queue-reason,
 *   queue-confirm, queue-cancel, queue-error-dialog, queue-choice (a finding's resolution, a held record's decision); the findings tab: see Findings.tsx
 */
import { useCallback, useState } from 'react';
import { Badge, Button, Card, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { z } from 'zod';
import { resolveReconciliationFinding, unfreezeAccount } from '@shared/api/admin';
import { getReconciliationQueueRoute, OFFLINE_HOLD_DECISIONS, RECONCILIATION_QUEUE_KINDS, resolveOfflineHoldRoute } from '@shared/api/console';
import type { RouteContract } from '@shared/api/contract';
import { FINDING_RESOLUTIONS } from '@shared/vocabulary';
import { ReasonDialog } from '../components/ReasonDialog';
import { allowed, ErrorAlert, timeText, useConsole, yuan } from '../console-context';
import { useI18n, type WordKey } from '../i18n';
import { usePagedList } from '../paged-list';
import { Findings } from './Findings';

type QueueAnswer = z.output<typeof getReconciliationQueueRoute.response>;
type Item = QueueAnswer['items'][number];
type Kind = (typeof RECONCILIATION_QUEUE_KINDS)[number];
type Tab = Kind | 'all';

const KIND_COLORS: Record<Kind, string> = { frozen_account: 'red', held_offline: 'orange', finding: 'gold', stuck_pending: 'blue' };

/** The admin routes a queue item may name, by its resolve action: the client calls them by their contracts. */
interface Resolver {
  route: RouteContract;
  label: WordKey;
  what: WordKey;
  /** The one choice the route's body takes besides the reason. */
  choice?: { field: 'resolution' | 'decision'; label: WordKey; options: readonly string[] };
}
const RESOLVERS: Partial<Record<Item['resolve']['action'], Resolver>> = {
  unfreeze_account: { route: unfreezeAccount, label: 'unfreeze', what: 'whatUnfreeze' },
  resolve_offline_hold: { route: resolveOfflineHoldRoute, label: 'resolve', what: 'whatOfflineHold', choice: { field: 'decision', label: 'decision', options: OFFLINE_HOLD_DECISIONS } },
  resolve_finding: { route: resolveReconciliationFinding, label: 'resolve', what: 'whatResolveFinding', choice: { field: 'resolution', label: 'resolution', options: FINDING_RESOLUTIONS } },
};

/** The path parameters in the item's filled-in route, read against the contract's path; undefined when it is not that route. */
export function routeParams(route: RouteContract, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  const match = pattern.exec(path);
  if (!match) return undefined;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
}

function resolverOf(item: Item) {
  const resolver = RESOLVERS[item.resolve.action];
  const params = resolver && item.resolve.route ? routeParams(resolver.route, item.resolve.route) : undefined;
  return resolver && params ? { ...resolver, params } : undefined;
}

export function Queue() {
  const { client, session } = useConsole();
  const { t, name } = useI18n();
  const [tab, setTab] = useState<Tab>('all');
  const [resolving, setResolving] = useState<Item>();
  const fetchPage = useCallback((cursor: string | undefined) => client.call(getReconciliationQueueRoute, { query: { kind: tab === 'all' ? undefined : tab, cursor } }), [client, tab]);
  const { items, page: answer, cursor, busy, error, reload, more } = usePagedList(fetchPage, (page) => page.items);

  const counts = answer?.counts;
  const total = counts ? RECONCILIATION_QUEUE_KINDS.reduce((sum, kind) => sum + counts[kind], 0) : undefined;
  const tabLabel = (key: Tab, label: string, count: number | undefined) => (
    <span data-testid={`queue-tab-${key}`} data-count={count}>
      {label} <Badge count={count ?? 0} showZero={count !== undefined} overflowCount={9999} color={count ? undefined : '#d9d9d9'} />
    </span>
  );
  const bySource = Object.entries(answer?.findingsBySource ?? {}).filter(([, n]) => n);
  const byPending = Object.entries(answer?.stuckPendingByKind ?? {}).filter(([, n]) => n);
  const openDisputes = answer?.openDisputes ?? 0;

  return (
    <Card
      title={t('menuQueue')}
      extra={
        <Button data-testid="queue-refresh" onClick={() => void reload()} loading={busy}>
          {t('refresh')}
        </Button>
      }
    >
      <Tabs
        data-testid="queue-tabs"
        activeKey={tab}
        onChange={(key) => setTab(key as Tab)}
        items={[
          { key: 'all', label: tabLabel('all', t('queueAll'), total) },
          ...RECONCILIATION_QUEUE_KINDS.map((kind) => ({ key: kind, label: tabLabel(kind, name(kind), counts?.[kind]) })),
        ]}
      />
      <ErrorAlert error={error} testId="queue-error" />
      {(bySource.length > 0 || byPending.length > 0 || openDisputes > 0) && (
        <Space wrap style={{ marginBottom: 12 }}>
          {openDisputes > 0 && (
            // Holders' disputes are decided on their own screen; the queue says how many wait.
            <Link to="/disputes" data-testid="queue-open-disputes" data-count={openDisputes}>
              <Tag color="purple">
                {t('menuDisputes')} {openDisputes}
              </Tag>
            </Link>
          )}
          {bySource.length > 0 && (
            <span data-testid="queue-by-source">
              <Typography.Text type="secondary">{t('bySource')}：</Typography.Text>
              {bySource.map(([source, n]) => (
                <Tag key={source}>
                  {name(source)} {n}
                </Tag>
              ))}
            </span>
          )}
          {byPending.length > 0 && (
            <span data-testid="queue-by-pending">
              <Typography.Text type="secondary">{t('byPendingKind')}：</Typography.Text>
              {byPending.map(([kind, n]) => (
                <Tag key={kind}>
                  {name(kind)} {n}
                </Tag>
              ))}
            </span>
          )}
        </Space>
      )}
      {tab === 'finding' ? (
        <Findings embedded onResolved={() => void reload()} />
      ) : (
        <>
          <Table
            data-testid="queue-table"
            size="small"
            rowKey={(item) => `${item.kind}|${item.id}`}
            loading={busy}
            dataSource={items}
            pagination={false}
            scroll={{ x: 960 }}
            locale={{ emptyText: t('queueEmpty') }}
            onRow={(item) => ({ 'data-testid': `queue-row-${item.kind}-${item.id}` }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: t('kind'), dataIndex: 'kind', width: 120, render: (v: Kind) => <Tag color={KIND_COLORS[v]}>{name(v)}</Tag> },
              { title: t('since'), dataIndex: 'at', width: 170, render: (v: string) => timeText(v) },
              { title: t('account'), dataIndex: 'accountNo', width: 110, render: (v?: string) => (v ? <Link to={`/accounts/${v}`}>{v}</Link> : '—') },
              { title: t('amount'), dataIndex: 'amountFen', width: 110, align: 'right', render: (v?: number) => (v === undefined ? '—' : yuan(v)) },
              { title: t('why'), dataIndex: 'why', width: 170, render: (v: string, item: Item) => (item.pendingKind && item.pendingKind !== v ? `${name(v)}（${name(item.pendingKind)}）` : name(v)) },
              {
                title: t('details'),
                key: 'details',
                render: (_: unknown, item: Item) => (
                  <Space orientation="vertical" size={0}>
                    {item.source && <Typography.Text type="secondary">{name(item.source)}</Typography.Text>}
                    {item.detail && <Typography.Text>{item.detail}</Typography.Text>}
                    {item.ref && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {item.ref}
                      </Typography.Text>
                    )}
                  </Space>
                ),
              },
              {
                title: t('resolve'),
                key: 'resolve',
                width: 200,
                render: (_: unknown, item: Item) => {
                  const resolver = resolverOf(item);
                  if (resolver)
                    return (
                      <Button size="small" data-testid={`queue-resolve-${item.kind}-${item.id}`} disabled={!allowed(resolver.route, session.role)} onClick={() => setResolving(item)}>
                        {t(resolver.label)}
                      </Button>
                    );
                  return (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`queue-settles-${item.kind}-${item.id}`}>
                      {item.resolve.action === 'run_reconciler' && item.resolve.script ? (
                        <>
                          {t('runReconciler')}
                          <Typography.Text code copyable>{`npm run ${item.resolve.script}`}</Typography.Text>
                        </>
                      ) : (
                        t('awaitCardTap')
                      )}
                    </Typography.Text>
                  );
                },
              },
            ]}
          />
          {cursor && (
            <Button style={{ marginTop: 12 }} data-testid="queue-more" onClick={() => void more()} loading={busy}>
              {t('loadMore')}
            </Button>
          )}
        </>
      )}
      {resolving && (
        <ResolveItemDialog
          item={resolving}
          onClose={(done) => {
            setResolving(undefined);
            if (done) void reload();
          }}
        />
      )}
    </Card>
  );
}

const QUEUE_TEST_IDS = { dialog: 'queue-dialog', summary: 'queue-summary', input: 'queue-reason', confirm: 'queue-confirm', cancel: 'queue-cancel', error: 'queue-error-dialog' };

function ResolveItemDialog({ item, onClose }: { item: Item; onClose(done: boolean): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const resolver = resolverOf(item)!;
  // Nothing chosen for the holder until staff choose: a held record's approval charges them.
  const [choice, setChoice] = useState<string | undefined>(resolver.choice?.field === 'resolution' ? 'no_action' : undefined);
  const about = [item.accountNo, item.amountFen !== undefined ? yuan(item.amountFen) : undefined, name(item.why), item.detail].filter(Boolean).join(' · ');
  return (
    <ReasonDialog
      title={`${t(resolver.label)} · ${name(item.kind)} ${item.kind === 'frozen_account' ? item.id : (item.ref ?? item.id)}`}
      summary={
        <>
          {t(resolver.what)}
          <br />
          <Typography.Text type="secondary">{about}</Typography.Text>
        </>
      }
      testIds={QUEUE_TEST_IDS}
      ready={!resolver.choice || choice !== undefined}
      onConfirm={async (reason) => {
        const body = resolver.choice ? { [resolver.choice.field]: choice, reason } : { reason };
        await client.call(resolver.route, { params: resolver.params, body } as never);
        onClose(true);
      }}
      onCancel={() => onClose(false)}
    >
      {resolver.choice && (
        <div>
          <Typography.Text strong>{t(resolver.choice.label)}</Typography.Text>
          <Select data-testid="queue-choice" style={{ width: '100%' }} value={choice} onChange={setChoice} options={resolver.choice.options.map((value) => ({ value, label: name(value) }))} />
        </div>
      )}
    </ReasonDialog>
  );
}
