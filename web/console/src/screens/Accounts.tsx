/**
 * Accounts: the search (GET /v1/admin/accounts?query=: account number, student/staff id, name, chip
 * UID or the mobile's last 4 digits; straight to the account page by number where the API has no search yet), the account
 * page (holder with the ID number masked, status, the three purses, cards, passwords, open requests,
 * the recent ledger with its filters, the status and card history and device keys) and the counter's
 * actions, each through the ReasonDialog (what will happen, a required reason), showing the server's
 * answer or its refusal.
 *
 * data-testids: account-search-input, account-search-submit, account-search-error, account-search-results, account-result-<accountNo>,
 *   account-page, account-error, account-holder, account-id-masked, account-status, purse-balance,
 *   purse-transitional, purse-small-wallet, account-cards, open-requests, open-request (data-kind),
 *   account-ledger, ledger-row-<receiptNo>, ledger-types, ledger-from, ledger-to, ledger-more, ledger-error,
 *   account-history, account-status-history, account-card-history, account-device-keys, account-actions, history-error,
 *   account-auto-reload, auto-reload-status (data-status), auto-reload-channel, auto-reload-threshold, auto-reload-amount,
 *   auto-reload-today, auto-reload-signed-at, auto-reload-cancelled, auto-reload-error,
 *   action-<key> (loss, unfreeze, password, adjust, replacement, issue-card, release, level, terminate, auto-reload),
 *   action-dialog, action-summary, action-field-<name>, action-reason, action-confirm, action-cancel, action-error,
 *   action-result, action-close, result-<field>
 */
import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Col, Descriptions, Empty, Input, Row, Select, Space, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { useNavigate, useParams } from 'react-router';
import type { z } from 'zod';
import {
  adjustBalance,
  cancelAdminAutoReload,
  getAdminAccount,
  getAdminAutoReload,
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
import { getAccountHistoryRoute, listAccountLedgerRoute, reportLossAtCounterRoute, searchAccountsRoute } from '@shared/api/console';
import type { RouteContract } from '@shared/api/contract';
import { formatYuan, parseYuan } from '@shared/money';
import { ApiError, type ConsoleClient } from '../api';
import { ReasonDialog } from '../components/ReasonDialog';
import { allowed, ErrorAlert, timeText, useConsole, yuan } from '../console-context';
import { MOVEMENT_TYPES } from '@shared/vocabulary';
import { useI18n, type WordKey } from '../i18n';

type Account = z.output<typeof getAdminAccount.response>;
type AutoReload = z.output<typeof getAdminAutoReload.response>;
type Request = z.output<typeof listReplacementRequests.response>['requests'][number];
type Entry = z.output<typeof listAccountLedgerRoute.response>['entries'][number];
type History = z.output<typeof getAccountHistoryRoute.response>;

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
  const [autoReload, setAutoReload] = useState<AutoReload>();
  const [autoReloadError, setAutoReloadError] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const [action, setAction] = useState<ActionSpec>();
  // Bumped after an action: the ledger and the history read again with the account.
  const [version, setVersion] = useState(0);

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
    try {
      setAutoReload(await client.call(getAdminAutoReload, { params: { accountNo } }));
      setAutoReloadError(undefined);
    } catch (caught) {
      // The rest of the page stands without it; the section says why.
      setAutoReload(undefined);
      setAutoReloadError(caught);
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
              {ACTIONS.map((spec) => (
                <Button key={spec.key} data-testid={`action-${spec.key}`} danger={spec.danger} disabled={!allowed(spec.route, session.role) || !spec.enabled(account, requests, autoReload)} onClick={() => setAction(spec)}>
                  {t(spec.label)}
                </Button>
              ))}
            </Space>
          </Card>
          <AutoReloadSection autoReload={autoReload} error={autoReloadError} />
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
              <OpenRequests account={account} requests={requests} />
            </Col>
          </Row>
          <Ledger accountNo={accountNo} version={version} />
          <AccountHistory accountNo={accountNo} version={version} />
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
            if (changed) {
              void load();
              setVersion((v) => v + 1);
            }
          }}
        />
      )}
    </div>
  );
}

/** The holder's automatic reload (docs/auto-reload.md "At the card centre"): what a caller asks about ("why was I charged?"). */
function AutoReloadSection({ autoReload: ar, error }: { autoReload: AutoReload | undefined; error: unknown }) {
  const { t, name } = useI18n();
  return (
    <Card title={t('autoReload')} data-testid="account-auto-reload">
      <ErrorAlert error={error} testId="auto-reload-error" />
      {ar && (
        <Descriptions column={{ xs: 1, md: 2, xl: 4 }} size="small">
          <Descriptions.Item label={t('autoReloadStatus')}>
            <Tag color={ar.status === 'active' ? 'green' : ar.status === 'signing' ? 'orange' : undefined} data-testid="auto-reload-status" data-status={ar.status}>
              {t(`autoReload_${ar.status}`)}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('autoReloadChannel')}>
            <span data-testid="auto-reload-channel">{ar.channel ? name(ar.channel) : '—'}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('autoReloadThreshold')}>
            <span data-testid="auto-reload-threshold">{ar.thresholdFen !== null ? yuan(ar.thresholdFen) : '—'}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('autoReloadAmount')}>
            <span data-testid="auto-reload-amount">{ar.amountFen !== null ? yuan(ar.amountFen) : '—'}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('autoReloadToday')}>
            <span data-testid="auto-reload-today">
              {ar.reloadsToday} {t('autoReloadTodayOf').replace('{max}', String(ar.dailyMax))}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('autoReloadSignedAt')}>
            <span data-testid="auto-reload-signed-at">{ar.signedAt ? timeText(ar.signedAt) : '—'}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('autoReloadCancelled')}>
            <span data-testid="auto-reload-cancelled">{ar.cancelledAt ? `${timeText(ar.cancelledAt)} · ${ar.cancelledBy ? t(`cancelledBy_${ar.cancelledBy}`) : '—'}` : '—'}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('autoReloadCode')}>{ar.agreementCode ?? '—'}</Descriptions.Item>
        </Descriptions>
      )}
    </Card>
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

/** What is waiting on this account, from what the account answer and the replacement list already say. */
function OpenRequests({ account, requests }: { account: Account; requests: Request[] }) {
  const { t, name } = useI18n();
  const items: { key: string; kind: string; text: string }[] = [
    ...requests.map((request) => ({ key: request.requestId, kind: 'replacement', text: `${t('replacement')}（${name(request.kind)}）· ${t('fee')} ${yuan(request.feeFen)} · ${timeText(request.requestedAt)}` })),
    ...(account.transitionalFen > 0 ? [{ key: 'transitional', kind: 'transitional', text: `${t('transitionalWaiting')} · ${yuan(account.transitionalFen)}` }] : []),
    ...account.passwords.filter((p) => p.lockedUntil).map((p) => ({ key: `pw-${p.kind}`, kind: 'password-locked', text: `${t('passwordLocked')}（${name(p.kind)}）· ${t('pwLockedUntil')} ${timeText(p.lockedUntil!)}` })),
  ];
  return (
    <Card title={t('openRequests')} data-testid="open-requests" style={{ height: '100%' }}>
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noOpenRequests')} />
      ) : (
        items.map((item) => (
          <div key={item.key} data-testid="open-request" data-kind={item.kind} style={{ padding: '6px 0' }}>
            {item.text}
          </div>
        ))
      )}
    </Card>
  );
}

// ---- the ledger ----

const signedYuan = (fen: number) => (fen > 0 ? `+${yuan(fen)}` : fen < 0 ? `-${yuan(-fen)}` : yuan(0));

/** The account's recent ledger, newest first, a page at a time; the filters are the route's own query (types, campus days). */
function Ledger({ accountNo, version }: { accountNo: string; version: number }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [types, setTypes] = useState<string[]>([]);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [entries, setEntries] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const load = useCallback(
    async (after?: string) => {
      setBusy(true);
      setError(undefined);
      try {
        const page = await client.call(listAccountLedgerRoute, {
          params: { accountNo },
          query: { type: types.length > 0 ? types.join(',') : undefined, from: from || undefined, to: to || undefined, cursor: after },
        });
        setEntries((previous) => (after ? [...previous, ...page.entries] : page.entries));
        setCursor(page.nextCursor);
      } catch (caught) {
        // A range the contract refuses (from after to) is said here and nothing is sent.
        setError(caught);
        if (!after) {
          setEntries([]);
          setCursor(undefined);
        }
      } finally {
        setBusy(false);
      }
    },
    [client, accountNo, types, from, to],
  );
  useEffect(() => {
    void load();
  }, [load, version]);

  return (
    <Card
      title={t('recentLedger')}
      extra={
        <Space wrap>
          <Select
            data-testid="ledger-types"
            mode="multiple"
            allowClear
            maxTagCount="responsive"
            style={{ minWidth: 220 }}
            placeholder={t('ledgerTypes')}
            value={types}
            onChange={setTypes}
            options={MOVEMENT_TYPES.map((value) => ({ value, label: name(value) }))}
          />
          <Input data-testid="ledger-from" type="date" style={{ width: 150 }} aria-label={t('fromDay')} value={from} onChange={(e) => setFrom(e.target.value)} />
          <span>–</span>
          <Input data-testid="ledger-to" type="date" style={{ width: 150 }} aria-label={t('toDay')} value={to} onChange={(e) => setTo(e.target.value)} />
        </Space>
      }
    >
      <ErrorAlert error={error} testId="ledger-error" />
      <Table
        data-testid="account-ledger"
        size="small"
        rowKey="receiptNo"
        loading={busy}
        pagination={false}
        dataSource={entries}
        scroll={{ x: 960 }}
        locale={{ emptyText: t('noLedger') }}
        onRow={(row) => ({ 'data-testid': `ledger-row-${row.receiptNo}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('time'), dataIndex: 'createdAt', width: 170, render: (v: string) => timeText(v) },
          { title: t('kind'), dataIndex: 'type', width: 120, render: (v: string) => name(v) },
          {
            title: t('ledgerDelta'),
            key: 'delta',
            width: 150,
            align: 'right',
            render: (_: unknown, e: Entry) => (
              <Space orientation="vertical" size={0} style={{ fontVariantNumeric: 'tabular-nums' }}>
                <Typography.Text type={e.delta.balanceFen < 0 ? undefined : 'success'}>{signedYuan(e.delta.balanceFen)}</Typography.Text>
                {e.delta.transitionalFen !== 0 && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('transitional')} {signedYuan(e.delta.transitionalFen)}
                  </Typography.Text>
                )}
                {e.delta.smallWalletFen !== 0 && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('smallWallet')} {signedYuan(e.delta.smallWalletFen)}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          { title: t('balanceAfter'), key: 'after', width: 110, align: 'right', render: (_: unknown, e: Entry) => yuan(e.after.balanceFen) },
          { title: t('where'), key: 'where', width: 160, render: (_: unknown, e: Entry) => e.merchantName ?? e.terminalId ?? (e.trigger === 'auto_reload' ? `${t('autoReloadEntry')} · ${name(e.channel)}` : name(e.channel)) },
          { title: t('operator'), dataIndex: 'operator', width: 110, render: (v?: string) => v ?? '—' },
          { title: t('reason'), dataIndex: 'reason', render: (v?: string) => v ?? '' },
          { title: t('receiptNo'), dataIndex: 'receiptNo', width: 150, render: (v: string) => <Typography.Text type="secondary" copyable={{ text: v }} title={v}>{`…${v.slice(-8)}`}</Typography.Text> },
        ]}
      />
      {cursor && (
        <Button style={{ marginTop: 12 }} data-testid="ledger-more" onClick={() => void load(cursor)} loading={busy}>
          {t('loadMore')}
        </Button>
      )}
    </Card>
  );
}

// ---- history ----

/** Who made a change: a staff username as it is; the holder, the system or "not recorded" in words. */
const ACTORS = new Set(['holder', 'system', 'unrecorded']);

/** The account's status changes, its cards' events, its device keys and the staff actions on it, newest first, each with who. */
function AccountHistory({ accountNo, version }: { accountNo: string; version: number }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [history, setHistory] = useState<History>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    client.call(getAccountHistoryRoute, { params: { accountNo } }).then(
      (answer) => live && (setHistory(answer), setError(undefined)),
      (caught: unknown) => live && (setHistory(undefined), setError(caught)),
    );
    return () => {
      live = false;
    };
  }, [client, accountNo, version]);
  const reasonText = (v?: string) => (v ? name(v) : '');
  const table = <T extends object>(testId: string, rowKey: (row: T, index?: number) => string, rows: T[] | undefined, columns: object[]) => (
    <Table<T>
      data-testid={testId}
      size="small"
      rowKey={rowKey as (row: T) => string}
      pagination={rows && rows.length > 10 ? { pageSize: 10, size: 'small' } : false}
      dataSource={rows ?? []}
      loading={!history && !error}
      locale={{ emptyText: t('noHistory') }}
      columns={columns}
    />
  );
  return (
    <Card title={t('accountHistory')} data-testid="account-history">
      <ErrorAlert error={error} testId="history-error" />
      <Tabs
        items={[
          {
            key: 'status',
            label: t('statusHistory'),
            children: table<History['status'][number]>('account-status-history', (row) => `${row.at}|${row.to}`, history?.status, [
              { title: t('time'), dataIndex: 'at', width: 170, render: (v: string) => timeText(v) },
              { title: t('fromStatus'), dataIndex: 'from', width: 100, render: (v?: string) => (v ? <Tag color={STATUS_COLORS[v]}>{name(v)}</Tag> : '—') },
              { title: t('toStatus'), dataIndex: 'to', width: 100, render: (v: string) => <Tag color={STATUS_COLORS[v]}>{name(v)}</Tag> },
              { title: t('who'), dataIndex: 'by', width: 130, render: (v: string) => (ACTORS.has(v) ? name(v) : v) },
              { title: t('reason'), dataIndex: 'reason', render: reasonText },
            ]),
          },
          {
            key: 'cards',
            label: t('cardHistory'),
            children: table<History['cards'][number]>('account-card-history', (row) => `${row.cardId}|${row.at}|${row.event}`, history?.cards, [
              { title: t('time'), dataIndex: 'at', width: 170, render: (v: string) => timeText(v) },
              { title: t('event'), dataIndex: 'event', width: 90, render: (v: string) => name(v) },
              { title: t('cardKind'), dataIndex: 'kind', width: 90, render: (v: string) => name(v) },
              { title: t('chipUid'), dataIndex: 'chipUid', width: 160, render: (v?: string) => v ?? '—' },
              { title: t('fee'), dataIndex: 'feeFen', width: 90, render: (v?: number) => (v === undefined ? '' : yuan(v)) },
              { title: t('who'), dataIndex: 'by', width: 130, render: (v: string) => (ACTORS.has(v) ? name(v) : v) },
              { title: t('reason'), dataIndex: 'reason', render: reasonText },
            ]),
          },
          {
            key: 'keys',
            label: t('deviceKeys'),
            children: table<History['deviceKeys'][number]>('account-device-keys', (row) => String(row.keyId), history?.deviceKeys, [
              { title: t('keyId'), dataIndex: 'keyId', width: 100 },
              { title: t('status'), dataIndex: 'status', width: 100, render: (v: string) => <Tag color={v === 'active' ? 'green' : undefined}>{name(v)}</Tag> },
              { title: t('registeredAt'), dataIndex: 'registeredAt', width: 170, render: (v: string) => timeText(v) },
              { title: t('revokedAt'), dataIndex: 'revokedAt', render: (v?: string) => (v ? timeText(v) : '—') },
            ]),
          },
          {
            key: 'actions',
            label: t('staffActions'),
            children: table<History['actions'][number]>('account-actions', (row) => row.auditId, history?.actions, [
              { title: t('time'), dataIndex: 'at', width: 170, render: (v: string) => timeText(v) },
              { title: t('who'), dataIndex: 'who', width: 120 },
              { title: t('action'), dataIndex: 'action', width: 170 },
              { title: t('reason'), dataIndex: 'reason' },
            ]),
          },
        ]}
      />
    </Card>
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
  /** What will happen, said in the dialog before the reason. */
  what: WordKey;
  danger?: boolean;
  route: RouteContract;
  fields: Field[];
  enabled(account: Account, requests: Request[], autoReload: AutoReload | undefined): boolean;
  /** The request body from the form's values and the checked reason; a RangeError names a field typed wrong. */
  body(values: Record<string, string>, ids: string, reason: string): Record<string, unknown>;
}

const open = (account: Account) => account.status !== 'cancelled';
const yuanField = (values: Record<string, string>, name: string) => parseYuan((values[name] ?? '').trim());
const opts = (values: readonly string[]) => values.map((value) => ({ value, label: value }));

const ACTIONS: ActionSpec[] = [
  {
    key: 'loss',
    label: 'reportLoss',
    what: 'whatLoss',
    route: reportLossAtCounterRoute,
    fields: [],
    enabled: (a) => a.status === 'active',
    body: (_, __, reason) => ({ reason }),
  },
  {
    key: 'unfreeze',
    label: 'unfreeze',
    what: 'whatUnfreeze',
    route: unfreezeAccount,
    fields: [],
    enabled: (a) => a.status === 'frozen' || a.status === 'lost',
    body: (_, __, reason) => ({ reason }),
  },
  {
    key: 'password',
    label: 'resetPassword',
    what: 'whatPassword',
    route: resetPassword,
    fields: [
      { name: 'kind', label: 'passwordKind', kind: 'select', options: opts(['consumption', 'query']), initial: 'consumption' },
      { name: 'idNumber', label: 'idNumberCheck', kind: 'text' },
    ],
    enabled: open,
    body: (v, _, reason) => ({ kind: v.kind, idNumber: (v.idNumber ?? '').trim(), reason }),
  },
  {
    key: 'adjust',
    label: 'adjust',
    what: 'whatAdjust',
    route: adjustBalance,
    fields: [
      { name: 'direction', label: 'direction', kind: 'select', options: opts(['credit', 'debit']), initial: 'credit' },
      { name: 'amount', label: 'amountYuan', kind: 'yuan' },
    ],
    enabled: open,
    body: (v, id, reason) => ({ direction: v.direction, amountFen: yuanField(v, 'amount'), reason, adjustmentId: id }),
  },
  {
    key: 'replacement',
    label: 'replacement',
    what: 'whatReplacement',
    route: issueReplacement,
    fields: [{ name: 'chipUid', label: 'chipUid', kind: 'text' }],
    enabled: (a, requests) => open(a) && requests.length > 0,
    body: (v, _, reason) => ({ chipUid: (v.chipUid ?? '').trim(), reason }),
  },
  {
    key: 'issue-card',
    label: 'issueCard',
    what: 'whatIssueCard',
    route: issuePhysicalCard,
    fields: [
      { name: 'kind', label: 'cardKind', kind: 'select', options: opts(['cpu', 'm1']), initial: 'cpu' },
      { name: 'chipUid', label: 'chipUid', kind: 'text' },
    ],
    enabled: (a) => open(a) && !a.cards.some((card) => card.kind !== 'electronic' && card.status !== 'cancelled' && card.status !== 'replaced'),
    body: (v, _, reason) => ({ kind: v.kind, chipUid: (v.chipUid ?? '').trim(), reason }),
  },
  {
    key: 'release',
    label: 'release',
    what: 'whatRelease',
    route: releaseTransitional,
    fields: [],
    enabled: (a) => open(a) && a.transitionalFen > 0,
    body: (_, id, reason) => ({ releaseId: id, reason }),
  },
  {
    key: 'level',
    label: 'level',
    what: 'whatLevel',
    route: levelAccount,
    fields: [{ name: 'chipBalance', label: 'chipBalanceYuan', kind: 'yuan' }],
    enabled: open,
    body: (v, id, reason) => ({ levellingId: id, chipBalanceFen: yuanField(v, 'chipBalance'), reason }),
  },
  {
    key: 'terminate',
    label: 'terminate',
    what: 'whatTerminate',
    danger: true,
    route: terminateAccount,
    fields: [
      { name: 'why', label: 'terminationReason', kind: 'select', options: opts(TERMINATION_REASONS), initial: 'graduated' },
      { name: 'destination', label: 'destination', kind: 'select', options: opts(['bank_card', 'cash']), initial: 'bank_card' },
    ],
    enabled: open,
    // The staff reason goes in `note`: a termination's `reason` is why the account closes.
    body: (v, id, reason) => ({ reason: v.why, destination: v.destination, cancellationId: id, note: reason }),
  },
  {
    key: 'auto-reload',
    label: 'cancelAutoReload',
    what: 'whatCancelAutoReload',
    danger: true,
    route: cancelAdminAutoReload,
    fields: [],
    // A signing left unfinished is ended too (the server asks the platform whether it was signed meanwhile).
    enabled: (_, __, ar) => ar?.status === 'active' || ar?.status === 'signing',
    body: (_, __, reason) => ({ reason }),
  },
];

const ANSWER_LABELS: Record<string, [string, string]> = {
  receiptNo: ['凭证号', 'Receipt'],
  balanceFen: ['余额', 'Balance'],
  amountFen: ['金额', 'Amount'],
  direction: ['方向', 'Direction'],
  status: ['状态', 'Status'],
  previousStatus: ['原状态', 'Was'],
  changed: ['已变更', 'Changed'],
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
  cancelledAt: ['解约时间', 'Ended at'],
  cancelledBy: ['解约方', 'Ended by'],
};
const DIRECTION_NAMES: Record<string, [string, string]> = { credit: ['调增', 'Credit'], debit: ['调减', 'Debit'], none: ['无差额', 'None'], bank_card: ['银行卡', 'Bank card'], cash: ['现金', 'Cash'] };

/** The testids the end-to-end test (tests/e2e/console.test.ts) knows the account actions' dialog by. */
const ACTION_TEST_IDS = { dialog: 'action-dialog', summary: 'action-summary', input: 'action-reason', confirm: 'action-confirm', cancel: 'action-cancel', error: 'action-error', result: 'action-result', close: 'action-close' };

function ActionDialog({ spec, account, requests, client, onClose }: { spec: ActionSpec; account: Account; requests: Request[]; client: ConsoleClient; onClose(changed: boolean): void }) {
  const { t, name, lang } = useI18n();
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(spec.fields.filter((f) => f.initial).map((f) => [f.name, f.initial!])));
  // One id per dialog: pressing confirm again after a lost answer replays the same adjustment, never a second one.
  const [ids] = useState(() => crypto.randomUUID());
  const [answer, setAnswer] = useState<Record<string, unknown>>();
  const set = (field: string, value: string) => setValues((all) => ({ ...all, [field]: value }));
  const label = (key: string) => ANSWER_LABELS[key]?.[lang === 'zh' ? 0 : 1] ?? key;
  const show = (key: string, value: unknown) => {
    // An agreement's words, not an account's (its cancelled is 已解约, not 已注销).
    if (spec.key === 'auto-reload' && key === 'status') return t(`autoReload_${String(value)}` as WordKey);
    if (key === 'cancelledBy' && typeof value === 'string') return t(`cancelledBy_${value}` as WordKey);
    if (typeof value === 'number' && key.endsWith('Fen')) return yuan(value);
    if (typeof value === 'boolean') return t(value ? 'yes' : 'no');
    if (typeof value === 'string' && /At$|Until$/.test(key)) return timeText(value);
    if (typeof value === 'string') return DIRECTION_NAMES[value]?.[lang === 'zh' ? 0 : 1] ?? name(value);
    return String(value);
  };
  // Every typed field filled in before confirm is offered; whether an amount reads as yuan is said on confirm.
  const ready = spec.fields.every((field) => field.kind === 'select' || (values[field.name] ?? '').trim() !== '');

  async function confirm(reason: string) {
    let body: Record<string, unknown>;
    try {
      body = spec.body(values, ids, reason);
    } catch {
      throw new ApiError(0, 'INVALID_AMOUNT', '金额格式有误：请填写元，最多两位小数', 'Not an amount: yuan with at most 2 decimals');
    }
    setAnswer((await client.call(spec.route, { params: { accountNo: account.accountNo }, body } as never)) as Record<string, unknown>);
  }

  const request = requests[0];
  const summary = (
    <>
      {t(spec.what)}
      {spec.key === 'release' && yuan(account.transitionalFen)}
      {spec.key === 'replacement' && request && ` ${t('fee')} ${yuan(request.feeFen)}（${name(request.kind)}）`}
    </>
  );
  return (
    <ReasonDialog
      title={`${t(spec.label)} · ${account.holderName}（${account.accountNo}）`}
      summary={summary}
      danger={spec.danger}
      ready={ready}
      reasonLabel={spec.key === 'terminate' ? `${t('reason')}（${t('note')}）` : undefined}
      testIds={ACTION_TEST_IDS}
      onConfirm={confirm}
      onCancel={() => onClose(false)}
      onClose={() => onClose(true)}
      result={
        answer && (
          <Descriptions column={1} size="small" bordered>
            {Object.entries(answer)
              .filter(([key]) => key in ANSWER_LABELS)
              .map(([key, value]) => (
                <Descriptions.Item key={key} label={label(key)}>
                  <span data-testid={`result-${key}`}>{show(key, value)}</span>
                </Descriptions.Item>
              ))}
          </Descriptions>
        )
      }
    >
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
    </ReasonDialog>
  );
}
