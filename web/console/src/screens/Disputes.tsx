/**
 * Disputes (争议处理, GET /v1/admin/disputes): holders' disputes of payments, open ones oldest first
 * (the work) and resolved ones newest first, with the payment's merchant and terminal and what the
 * holder said. An open dispute is refunded (out of the merchant's settlement, a merchant adjustment:
 * the amount defaults to the payment and may not exceed it) or refused, each with a reason, through
 * the ReasonDialog; the list is read again after each decision.
 *
 * data-testids: disputes-tabs, disputes-tab-open (data-count), disputes-tab-resolved, disputes-table,
 *   dispute-row-<receiptNo>, dispute-status-<receiptNo>, dispute-refund-<receiptNo>, dispute-refuse-<receiptNo>,
 *   disputes-more, disputes-error, disputes-refresh; the dialogs: reason-dialog (ReasonDialog's), dispute-amount, dispute-amount-problem
 */
import { useCallback, useState } from 'react';
import { Badge, Button, Card, Input, Space, Table, Tabs, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { z } from 'zod';
import { listDisputesRoute, refundDisputeRoute, refuseDisputeRoute } from '@shared/api/disputes';
import { formatYuan, parseYuan } from '@shared/money';
import { ReasonDialog } from '../components/ReasonDialog';
import { allowed, ErrorAlert, timeText, useConsole, yuan } from '../console-context';
import { useI18n } from '../i18n';
import { usePagedList } from '../paged-list';

type Page = z.output<typeof listDisputesRoute.response>;
type Dispute = Page['disputes'][number];
type State = 'open' | 'resolved';

const STATUS_COLORS: Record<Dispute['status'], string> = { submitted: 'orange', refunded: 'green', refused: 'default' };

export function Disputes() {
  const { client, session } = useConsole();
  const { t, name } = useI18n();
  const [state, setState] = useState<State>('open');
  const [deciding, setDeciding] = useState<{ dispute: Dispute; kind: 'refund' | 'refuse' }>();
  const fetchPage = useCallback((cursor: string | undefined) => client.call(listDisputesRoute, { query: { state, cursor } }), [client, state]);
  const { items: disputes, page, cursor, busy, error, reload, more } = usePagedList(fetchPage, (answer) => answer.disputes);
  const openCount = page?.openCount;

  const mayRefund = allowed(refundDisputeRoute, session.role);
  const mayRefuse = allowed(refuseDisputeRoute, session.role);

  return (
    <Card
      title={t('menuDisputes')}
      extra={
        <Button data-testid="disputes-refresh" onClick={() => void reload()} loading={busy}>
          {t('refresh')}
        </Button>
      }
    >
      <Tabs
        data-testid="disputes-tabs"
        activeKey={state}
        onChange={(key) => setState(key as State)}
        items={[
          {
            key: 'open',
            label: (
              <span data-testid="disputes-tab-open" data-count={openCount}>
                {name('open')} <Badge count={openCount ?? 0} showZero={openCount !== undefined} color={openCount ? undefined : '#d9d9d9'} />
              </span>
            ),
          },
          { key: 'resolved', label: <span data-testid="disputes-tab-resolved">{name('resolved')}</span> },
        ]}
      />
      <ErrorAlert error={error} testId="disputes-error" />
      <Table
        data-testid="disputes-table"
        size="small"
        rowKey="receiptNo"
        loading={busy}
        dataSource={disputes}
        pagination={false}
        scroll={{ x: 1100 }}
        locale={{ emptyText: t('disputesEmpty') }}
        onRow={(dispute) => ({ 'data-testid': `dispute-row-${dispute.receiptNo}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('raisedAt'), dataIndex: 'createdAt', width: 160, render: (v: string) => timeText(v) },
          { title: t('account'), dataIndex: 'accountNo', width: 100, render: (v: string) => <Link to={`/accounts/${v}`}>{v}</Link> },
          {
            title: t('disputePayment'),
            key: 'payment',
            width: 230,
            render: (_: unknown, d: Dispute) => (
              <Space orientation="vertical" size={0}>
                <Typography.Text strong>{yuan(d.amountFen)}</Typography.Text>
                <Typography.Text>
                  {d.merchantName ?? d.merchantId}
                  {d.terminalId ? ` · ${d.terminalId}` : ''}
                </Typography.Text>
                {d.terminalPlace && <Typography.Text type="secondary">{d.terminalPlace}</Typography.Text>}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('chargedAt')} {timeText(d.chargedAt)} · {d.receiptNo}
                </Typography.Text>
              </Space>
            ),
          },
          { title: t('disputeReason'), dataIndex: 'reason', width: 110, render: (v: string) => <Tag>{name(v)}</Tag> },
          { title: t('disputeDescription'), dataIndex: 'description', render: (v: string) => <Typography.Paragraph style={{ margin: 0 }}>{v}</Typography.Paragraph> },
          {
            title: t('status'),
            key: 'status',
            width: 200,
            render: (_: unknown, d: Dispute) => (
              <Space orientation="vertical" size={0} data-testid={`dispute-status-${d.receiptNo}`} data-status={d.status}>
                <Tag color={STATUS_COLORS[d.status]}>
                  {name(d.status)}
                  {d.refundFen !== undefined ? ` ${yuan(d.refundFen)}` : ''}
                </Tag>
                {d.resolution && <Typography.Text>{d.resolution}</Typography.Text>}
                {d.resolvedBy && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('resolvedBy')} {d.resolvedBy} · {d.resolvedAt ? timeText(d.resolvedAt) : ''}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          {
            title: t('resolve'),
            key: 'actions',
            width: 150,
            render: (_: unknown, d: Dispute) =>
              d.status === 'submitted' ? (
                <Space>
                  <Button size="small" type="primary" data-testid={`dispute-refund-${d.receiptNo}`} disabled={!mayRefund} onClick={() => setDeciding({ dispute: d, kind: 'refund' })}>
                    {t('refundDispute')}
                  </Button>
                  <Button size="small" danger data-testid={`dispute-refuse-${d.receiptNo}`} disabled={!mayRefuse} onClick={() => setDeciding({ dispute: d, kind: 'refuse' })}>
                    {t('refuseDispute')}
                  </Button>
                </Space>
              ) : (
                '—'
              ),
          },
        ]}
      />
      {cursor && (
        <Button style={{ marginTop: 12 }} data-testid="disputes-more" onClick={() => void more()} loading={busy}>
          {t('loadMore')}
        </Button>
      )}
      {deciding && (
        <DecisionDialog
          dispute={deciding.dispute}
          kind={deciding.kind}
          onClose={(done) => {
            setDeciding(undefined);
            if (done) void reload();
          }}
        />
      )}
    </Card>
  );
}

/** The refund amount typed in yuan: the fen it means when it is a refund this payment allows, else undefined. */
export function refundFenOf(text: string, chargedFen: number): number | undefined {
  let fen: number;
  try {
    fen = parseYuan(text.trim());
  } catch {
    return undefined;
  }
  return fen > 0 && fen <= chargedFen ? fen : undefined;
}

function DecisionDialog({ dispute, kind, onClose }: { dispute: Dispute; kind: 'refund' | 'refuse'; onClose(done: boolean): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [amount, setAmount] = useState(formatYuan(dispute.amountFen));
  const refundFen = refundFenOf(amount, dispute.amountFen);
  const about = [dispute.accountNo, yuan(dispute.amountFen), dispute.merchantName ?? dispute.merchantId, name(dispute.reason)].join(' · ');
  return (
    <ReasonDialog
      title={`${t(kind === 'refund' ? 'refundDispute' : 'refuseDispute')} · ${dispute.receiptNo}`}
      summary={
        <>
          {t(kind === 'refund' ? 'whatDisputeRefund' : 'whatDisputeRefuse')}
          <br />
          <Typography.Text type="secondary">{about}</Typography.Text>
          <br />
          <Typography.Text type="secondary">“{dispute.description}”</Typography.Text>
        </>
      }
      danger={kind === 'refuse'}
      ready={kind === 'refuse' || refundFen !== undefined}
      onConfirm={async (reason) => {
        if (kind === 'refund') {
          // The whole payment is sent as "the rest" (no amount): a retry then asks for the same decision.
          const body = refundFen === dispute.amountFen ? { reason } : { amountFen: refundFen, reason };
          await client.call(refundDisputeRoute, { params: { receiptNo: dispute.receiptNo }, body });
        } else {
          await client.call(refuseDisputeRoute, { params: { receiptNo: dispute.receiptNo }, body: { reason } });
        }
        onClose(true);
      }}
      onCancel={() => onClose(false)}
    >
      {kind === 'refund' && (
        <div>
          <Typography.Text strong>{t('refundAmountYuan')}</Typography.Text>
          <Input data-testid="dispute-amount" value={amount} onChange={(e) => setAmount(e.target.value)} status={refundFen === undefined ? 'error' : undefined} inputMode="decimal" />
          {refundFen === undefined && (
            <Typography.Text type="danger" data-testid="dispute-amount-problem">
              {t('refundAmountProblem').replace('{max}', formatYuan(dispute.amountFen))}
            </Typography.Text>
          )}
        </div>
      )}
    </ReasonDialog>
  );
}
