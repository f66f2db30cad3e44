/**
 * Accounts: the search (GET /v1/admin/accounts?query=: account number, student/staff id, name, chip
 * UID or the mobile's last 4 digits; straight to the account page by number where the API has no search yet), the account
 * page (holder with the ID number masked, status, the three purses, cards, passwords, open requests)
 * and the counter's actions, each in a confirmation dialog with a required reason, showing the
 * server's answer or its refusal.
 *
 * data-testids: account-search-input, account-search-submit, account-search-error, account-search-results, account-result-<accountNo>,
 *   account-page, account-error, account-holder, account-id-masked, account-status, purse-balance,
 *   purse-transitional, purse-small-wallet, account-cards, open-requests, ledger-unavailable,
 *   action-<key> (loss, unfreeze, password, adjust, replacement, issue-card, release, level, terminate),
 *   action-dialog, action-field-<name>, action-reason, action-confirm, action-cancel, action-error, action-result
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Empty, Input, Modal, Row, Select, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { useNavigate, useParams } from 'react-router';
import type { z } from 'zod';
import {
  adjustBalance,
  getAdminAccount,
  issuePhysicalCard,
  issueReplacement,
  levelAccount,
  listReplacementRequests,
  releaseTransitional,
  resetPassword,
  terminateAccount,
  TERMINATION_REASONS,
  unfreezeAccount,
} from '@shared/api/admin';
import { accountNo as accountNoSchema } from '@shared/api/common';
import { searchAccountsRoute } from '@shared/api/console';
import type { RouteContract } from '@shared/api/contract';
import { formatYuan, parseYuan } from '@shared/money';
import { ApiError, type ConsoleClient } from '../api';
import { allowed, ErrorAlert, timeText, useConsole, yuan } from '../console-context';
import { useI18n, type WordKey } from '../i18n';

type Account = z.output<typeof getAdminAccount.response>;
type Request = z.output<typeof listReplacementRequests.response>['requests'][number];

type Found = z.output<typeof searchAccountsRoute.response>['accounts'][number];
const MATCH_NAMES: Record<string, [string, string]> = {
  account_no: ['账号', 'account number'],
  person_id: ['学工号', 'student/staff id'],
  name: ['姓名', 'name'],
  chip_uid: ['芯片号', 'chip UID'],
  mobile_last4: ['手机尾号', 'mobile’s last 4'],
};

export function AccountSearch() {
  const { client } = useConsole();
  const { t, name, lang } = useI18n();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const [found, setFound] = useState<{ accounts: Found[]; truncated: boolean }>();
  const [busy, setBusy] = useState(false);

  async function search() {
    const value = text.trim();
    setError(undefined);
    setFound(undefined);
    if (!value) return;
    setBusy(true);
    try {
      const answer = await client.call(searchAccountsRoute, { query: { query: value } });
      // One match is the holder at the counter: open it at once.
      if (answer.accounts.length === 1) navigate(`/accounts/${answer.accounts[0]!.accountNo}`);
      else setFound(answer);
    } catch (caught) {
      // An API without the search yet still opens an account by its number.
      if (caught instanceof ApiError && (caught.status === 404 || caught.code === 'BAD_ANSWER') && accountNoSchema.safeParse(value).success) navigate(`/accounts/${value}`);
      else setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card title={t('menuAccounts')}>
      <Space.Compact style={{ width: 480 }}>
        <Input data-testid="account-search-input" placeholder={t('searchPlaceholder')} value={text} onChange={(e) => setText(e.target.value)} onPressEnter={() => void search()} allowClear />
        <Button type="primary" data-testid="account-search-submit" loading={busy} onClick={() => void search()}>
          {t('search')}
        </Button>
      </Space.Compact>
      <div style={{ margin: '8px 0 16px' }}>
        <Typography.Text type="secondary">{t('searchHint')}</Typography.Text>
      </div>
      <ErrorAlert error={error} testId="account-search-error" />
      {found && (
        <Table
          data-testid="account-search-results"
          size="small"
          rowKey="accountNo"
          pagination={false}
          dataSource={found.accounts}
          locale={{ emptyText: t('noMatches') }}
          footer={found.truncated ? () => t('searchTruncated') : undefined}
          onRow={(row) => ({ onClick: () => navigate(`/accounts/${row.accountNo}`), style: { cursor: 'pointer' }, 'data-testid': `account-result-${row.accountNo}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('account'), dataIndex: 'accountNo' },
            { title: t('holder'), dataIndex: 'holderNameMasked' },
            { title: t('personId'), dataIndex: 'personId' },
            { title: t('status'), dataIndex: 'status', render: (v: string) => <Tag color={STATUS_COLORS[v]}>{name(v)}</Tag> },
            { title: t('balance'), dataIndex: 'balanceFen', render: (v: number) => yuan(v) },
            { title: t('matchedBy'), dataIndex: 'matchedBy', render: (v: string[]) => v.map((m) => MATCH_NAMES[m]?.[lang === 'zh' ? 0 : 1] ?? m).join('、') },
          ]}
        />
      )}
    </Card>
  );
}

const STATUS_COLORS: Record<string, string> = { active: 'green', lost: 'orange', frozen: 'red', cancelled: 'default', expired: 'default' };

export function AccountPage() {
  const { accountNo = '' } = useParams();
  const { client, session } = useConsole();
  const { t, name } = useI18n();
  const navigate = useNavigate();
  const [account, setAccount] = useState<Account>();
  const [requests, setRequests] = useState<Request[]>([]);
  const [error, setError] = useState<unknown>();
  const [action, setAction] = useState<ActionSpec>();

  const load = useCallback(async () => {
    try {
      setAccount(await client.call(getAdminAccount, { params: { accountNo } }));
      setError(undefined);
    } catch (caught) {
      setAccount(undefined);
      setError(caught);
    }
    try {
      const { requests: open } = await client.call(listReplacementRequests, {});
      setRequests(open.filter((request) => request.accountNo === accountNo && request.status === 'requested'));
    } catch {
      setRequests([]); // a role without the request list still sees the account
    }
  }, [client, accountNo]);
  useEffect(() => {
    void load();
  }, [load]);

  const mayAct = ACTIONS.some((spec) => allowed(spec.route, session.role));

  return (
    <div data-testid="account-page" data-account={accountNo}>
      <Space style={{ marginBottom: 16 }}>
        <Button onClick={() => navigate('/accounts')}>← {t('menuAccounts')}</Button>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('account')} {accountNo}
        </Typography.Title>
      </Space>
      <ErrorAlert error={error} testId="account-error" />
      {account && (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Card
            title={t('holder')}
            extra={
              <Tag color={STATUS_COLORS[account.status]} data-testid="account-status" data-status={account.status}>
                {name(account.status)}
              </Tag>
            }
          >
            <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
              <Descriptions.Item label={t('holder')}>
                <span data-testid="account-holder">{account.holderName}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('personId')}>{account.personId}</Descriptions.Item>
              <Descriptions.Item label={t('cardType')}>{name(account.cardType)}</Descriptions.Item>
              <Descriptions.Item label={t('idNumber')}>
                <span data-testid="account-id-masked">
                  {account.idType ? `${name(account.idType)} ` : ''}
                  {account.idNumberMasked ?? '—'}
                </span>
              </Descriptions.Item>
              <Descriptions.Item label={t('mobile')}>{account.mobileMasked ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('expiresOn')}>{account.expiresOn ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('passwords')}>
                {account.passwords.map((p) => (
                  <Tag key={p.kind} color={p.lockedUntil ? 'red' : p.isDefault ? 'orange' : undefined}>
                    {name(p.kind)}：{t(p.set ? (p.isDefault ? 'pwDefault' : 'pwSet') : 'pwUnset')}
                    {p.lockedUntil ? ` ${t('pwLockedUntil')} ${timeText(p.lockedUntil)}` : ''}
                  </Tag>
                ))}
              </Descriptions.Item>
            </Descriptions>
          </Card>
          <Row gutter={16}>
            <Purse testId="purse-balance" title={t('balance')} fen={account.balanceFen} />
            <Purse testId="purse-transitional" title={t('transitional')} fen={account.transitionalFen} />
            <Purse testId="purse-small-wallet" title={t('smallWallet')} fen={account.smallWalletFen} />
            <Col xs={12} xl={6}>
              <Card size="small">
                <Statistic title={t('chipBalance')} value={account.chipBalanceFen !== undefined ? formatYuan(account.chipBalanceFen) : '—'} prefix={account.chipBalanceFen !== undefined ? '¥' : undefined} />
                <Typography.Text type="secondary">
                  {t('spentToday')} {yuan(account.spentTodayFen)} / {t('dailyLimit')} {yuan(account.dailyLimitFen)}
                </Typography.Text>
              </Card>
            </Col>
          </Row>
          <Card title={t('actions')} extra={!mayAct && <Tag data-testid="read-only">{t('readOnly')}</Tag>}>
            <Space wrap>
              <Tooltip title={t('reportLossUnavailable')}>
                <Button data-testid="action-loss" disabled>
                  {t('reportLoss')}
                </Button>
              </Tooltip>
              {ACTIONS.map((spec) => (
                <Button key={spec.key} data-testid={`action-${spec.key}`} danger={spec.danger} disabled={!allowed(spec.route, session.role) || !spec.enabled(account, requests)} onClick={() => setAction(spec)}>
                  {t(spec.label)}
                </Button>
              ))}
            </Space>
          </Card>
          <Row gutter={16}>
            <Col xs={24} xl={14}>
              <Card title={t('cards')}>
                <Table
                  data-testid="account-cards"
                  size="small"
                  rowKey="cardId"
                  pagination={false}
                  dataSource={account.cards}
                  columns={[
                    { title: t('cardKind'), dataIndex: 'kind', render: (v: string) => name(v) },
                    { title: t('chipUid'), dataIndex: 'chipUidMasked', render: (v?: string) => v ?? '—' },
                    { title: t('status'), dataIndex: 'status', render: (v: string) => <Tag color={STATUS_COLORS[v]}>{name(v)}</Tag> },
                    { title: t('issuedOn'), dataIndex: 'issuedOn' },
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card title={t('openRequests')} data-testid="open-requests">
                {requests.length === 0 ? (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noOpenRequests')} />
                ) : (
                  requests.map((request) => (
                    <div key={request.requestId} data-testid="open-request" style={{ padding: '6px 0' }}>
                      {t('replacement')}（{name(request.kind)}）· {t('fee')} {yuan(request.feeFen)} · {timeText(request.requestedAt)}
                    </div>
                  ))
                )}
              </Card>
            </Col>
          </Row>
          <Card title={t('recentLedger')}>
            <Alert type="info" showIcon data-testid="ledger-unavailable" title={t('ledgerUnavailable')} />
          </Card>
        </Space>
      )}
      {action && account && (
        <ActionDialog
          spec={action}
          account={account}
          requests={requests}
          client={client}
          onClose={(changed) => {
            setAction(undefined);
            if (changed) void load();
          }}
        />
      )}
    </div>
  );
}

function Purse({ testId, title, fen }: { testId: string; title: string; fen: number }) {
  return (
    <Col xs={12} xl={6}>
      <Card size="small">
        <Statistic title={title} value={formatYuan(fen)} prefix="¥" styles={{ content: { fontVariantNumeric: 'tabular-nums' } }} />
        <span data-testid={testId} data-fen={fen} hidden />
      </Card>
    </Col>
  );
}

// ---- actions ----

interface Field {
  name: string;
  label: WordKey;
  kind: 'text' | 'yuan' | 'select';
  options?: { value: string; label: string }[];
  initial?: string;
}

interface ActionSpec {
  key: string;
  label: WordKey;
  danger?: boolean;
  route: RouteContract;
  fields: Field[];
  enabled(account: Account, requests: Request[]): boolean;
  /** The request body from the form's values; a RangeError names a field typed wrong. */
  body(values: Record<string, string>, ids: string): Record<string, unknown>;
}

const open = (account: Account) => account.status !== 'cancelled';
const yuanField = (values: Record<string, string>, name: string) => parseYuan((values[name] ?? '').trim());
const opts = (values: readonly string[]) => values.map((value) => ({ value, label: value }));

const ACTIONS: ActionSpec[] = [
  {
    key: 'unfreeze',
    label: 'unfreeze',
    route: unfreezeAccount,
    fields: [],
    enabled: (a) => a.status === 'frozen' || a.status === 'lost',
    body: (v) => ({ reason: v.reason }),
  },
  {
    key: 'password',
    label: 'resetPassword',
    route: resetPassword,
    fields: [
      { name: 'kind', label: 'passwordKind', kind: 'select', options: opts(['consumption', 'query']), initial: 'consumption' },
      { name: 'idNumber', label: 'idNumberCheck', kind: 'text' },
    ],
    enabled: open,
    body: (v) => ({ kind: v.kind, idNumber: (v.idNumber ?? '').trim(), reason: v.reason }),
  },
  {
    key: 'adjust',
    label: 'adjust',
    route: adjustBalance,
    fields: [
      { name: 'direction', label: 'direction', kind: 'select', options: opts(['credit', 'debit']), initial: 'credit' },
      { name: 'amount', label: 'amountYuan', kind: 'yuan' },
    ],
    enabled: open,
    body: (v, id) => ({ direction: v.direction, amountFen: yuanField(v, 'amount'), reason: v.reason, adjustmentId: id }),
  },
  {
    key: 'replacement',
    label: 'replacement',
    route: issueReplacement,
    fields: [{ name: 'chipUid', label: 'chipUid', kind: 'text' }],
    enabled: (a, requests) => open(a) && requests.length > 0,
    body: (v) => ({ chipUid: (v.chipUid ?? '').trim(), reason: v.reason }),
  },
  {
    key: 'issue-card',
    label: 'issueCard',
    route: issuePhysicalCard,
    fields: [
      { name: 'kind', label: 'cardKind', kind: 'select', options: opts(['cpu', 'm1']), initial: 'cpu' },
      { name: 'chipUid', label: 'chipUid', kind: 'text' },
    ],
    enabled: (a) => open(a) && !a.cards.some((card) => card.kind !== 'electronic' && card.status !== 'cancelled' && card.status !== 'replaced'),
    body: (v) => ({ kind: v.kind, chipUid: (v.chipUid ?? '').trim(), reason: v.reason }),
  },
  {
    key: 'release',
    label: 'release',
    route: releaseTransitional,
    fields: [],
    enabled: (a) => open(a) && a.transitionalFen > 0,
    body: (v, id) => ({ releaseId: id, reason: v.reason }),
  },
  {
    key: 'level',
    label: 'level',
    route: levelAccount,
    fields: [{ name: 'chipBalance', label: 'chipBalanceYuan', kind: 'yuan' }],
    enabled: open,
    body: (v, id) => ({ levellingId: id, chipBalanceFen: yuanField(v, 'chipBalance'), reason: v.reason }),
  },
  {
    key: 'terminate',
    label: 'terminate',
    danger: true,
    route: terminateAccount,
    fields: [
      { name: 'why', label: 'terminationReason', kind: 'select', options: opts(TERMINATION_REASONS), initial: 'graduated' },
      { name: 'destination', label: 'destination', kind: 'select', options: opts(['bank_card', 'cash']), initial: 'bank_card' },
    ],
    enabled: open,
    // The staff reason goes in `note`: a termination's `reason` is why the account closes.
    body: (v, id) => ({ reason: v.why, destination: v.destination, cancellationId: id, note: v.reason }),
  },
];

const ANSWER_LABELS: Record<string, [string, string]> = {
  receiptNo: ['凭证号', 'Receipt'],
  balanceFen: ['余额', 'Balance'],
  amountFen: ['金额', 'Amount'],
  direction: ['方向', 'Direction'],
  status: ['状态', 'Status'],
  previousStatus: ['原状态', 'Was'],
  refundFen: ['退款', 'Refunded'],
  heldBackFen: ['暂扣', 'Held back'],
  holdbackUntil: ['暂扣至', 'Held until'],
  releasedFen: ['释放', 'Released'],
  transitionalFen: ['过渡余额', 'Transitional'],
  feeFen: ['工本费', 'Fee'],
  kind: ['类型', 'Kind'],
  chipUidMasked: ['芯片号', 'Chip UID'],
  destination: ['去向', 'To'],
  bankCardNoMasked: ['银行卡', 'Bank card'],
  changedAt: ['时间', 'At'],
  levelledAt: ['时间', 'At'],
  replayed: ['重复提交', 'Replayed'],
};
const DIRECTION_NAMES: Record<string, [string, string]> = { credit: ['调增', 'Credit'], debit: ['调减', 'Debit'], none: ['无差额', 'None'], bank_card: ['银行卡', 'Bank card'], cash: ['现金', 'Cash'] };

function ActionDialog({ spec, account, requests, client, onClose }: { spec: ActionSpec; account: Account; requests: Request[]; client: ConsoleClient; onClose(changed: boolean): void }) {
  const { t, name, lang } = useI18n();
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(spec.fields.filter((f) => f.initial).map((f) => [f.name, f.initial!])));
  // One id per dialog: pressing confirm again after a lost answer replays the same adjustment, never a second one.
  const [ids] = useState(() => crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [answer, setAnswer] = useState<Record<string, unknown>>();
  const set = (field: string, value: string) => setValues((all) => ({ ...all, [field]: value }));
  const label = (key: string) => ANSWER_LABELS[key]?.[lang === 'zh' ? 0 : 1] ?? key;
  const show = (key: string, value: unknown) => {
    if (typeof value === 'number' && key.endsWith('Fen')) return yuan(value);
    if (typeof value === 'boolean') return t(value ? 'yes' : 'no');
    if (typeof value === 'string' && /At$|Until$/.test(key)) return timeText(value);
    if (typeof value === 'string') return DIRECTION_NAMES[value]?.[lang === 'zh' ? 0 : 1] ?? name(value);
    return String(value);
  };

  async function confirm() {
    setError(undefined);
    if ((values.reason ?? '').trim().length < 2) {
      setError(new ApiError(0, 'REASON_REQUIRED', '请写明原因（至少 2 个字）', 'Say why (at least 2 characters)'));
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = spec.body(values, ids);
    } catch {
      setError(new ApiError(0, 'INVALID_AMOUNT', '金额格式有误：请填写元，最多两位小数', 'Not an amount: yuan with at most 2 decimals'));
      return;
    }
    setBusy(true);
    try {
      const result = (await client.call(spec.route, { params: { accountNo: account.accountNo }, body } as never)) as Record<string, unknown>;
      setAnswer(result);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const request = requests[0];
  return (
    <Modal
      open
      data-testid="action-dialog"
      title={`${t(spec.label)} · ${account.holderName}（${account.accountNo}）`}
      onCancel={() => onClose(Boolean(answer))}
      mask={{ closable: false }}
      footer={
        answer ? (
          <Button type="primary" data-testid="action-close" onClick={() => onClose(true)}>
            {t('close')}
          </Button>
        ) : (
          <Space>
            <Button data-testid="action-cancel" onClick={() => onClose(false)}>
              {t('cancel')}
            </Button>
            <Button type="primary" danger={spec.danger} loading={busy} data-testid="action-confirm" onClick={() => void confirm()}>
              {t('confirm')}
            </Button>
          </Space>
        )
      }
    >
      <div data-testid="action-dialog-body">
        {answer ? (
          <div data-testid="action-result">
            <Alert type="success" showIcon title={t('done')} style={{ marginBottom: 12 }} />
            <Descriptions column={1} size="small" bordered>
              {Object.entries(answer)
                .filter(([key]) => key in ANSWER_LABELS)
                .map(([key, value]) => (
                  <Descriptions.Item key={key} label={label(key)}>
                    <span data-testid={`result-${key}`}>{show(key, value)}</span>
                  </Descriptions.Item>
                ))}
            </Descriptions>
          </div>
        ) : (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <ErrorAlert error={error} testId="action-error" />
            {spec.key === 'replacement' && request && (
              <Typography.Text>
                {t('fee')} {yuan(request.feeFen)}（{name(request.kind)}）
              </Typography.Text>
            )}
            {spec.fields.map((field) => (
              <div key={field.name}>
                <Typography.Text strong>{t(field.label)}</Typography.Text>
                {field.kind === 'select' ? (
                  <Select
                    data-testid={`action-field-${field.name}`}
                    style={{ width: '100%' }}
                    value={values[field.name]}
                    onChange={(value: string) => set(field.name, value)}
                    options={field.options!.map((option) => ({ value: option.value, label: DIRECTION_NAMES[option.value]?.[lang === 'zh' ? 0 : 1] ?? name(option.value) }))}
                  />
                ) : (
                  <Input data-testid={`action-field-${field.name}`} value={values[field.name] ?? ''} onChange={(e) => set(field.name, e.target.value)} inputMode={field.kind === 'yuan' ? 'decimal' : undefined} prefix={field.kind === 'yuan' ? '¥' : undefined} />
                )}
              </div>
            ))}
            <div>
              <Typography.Text strong>{t('reason')}</Typography.Text>
              <Input.TextArea data-testid="action-reason" rows={2} maxLength={200} placeholder={t('reasonHint')} value={values.reason ?? ''} onChange={(e) => set('reason', e.target.value)} />
            </div>
          </Space>
        )}
      </div>
    </Modal>
  );
}
