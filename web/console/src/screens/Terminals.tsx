/**
 * Merchants and their terminals. Finance registers a merchant (category, settlement period, fee,
 * settlement account: kept masked), suspends or reactivates it, and checks an account number it was
 * given against the settlement account (the number is never stored). The counter picks a merchant,
 * sees its terminals, registers one (the one-time activation code is shown once, in its own dialog,
 * and kept nowhere), issues a new code (rotation or re-activation) or disables one. Every action goes
 * through the ReasonDialog with a required reason.
 *
 * data-testids: merchants-table, merchant-row-<merchantId>, merchant-register, merchant-field-<field>,
 *   merchant-detail, merchant-suspend, merchant-reactivate, merchant-check, merchant-check-number,
 *   merchant-check-result, terminals-table, terminals-error,
 *   terminal-register, terminal-rotate-<terminalId>, terminal-disable-<terminalId>,
 *   terminal-dialog, terminal-field-terminalId, terminal-field-place, terminal-field-kind,
 *   terminal-reason, terminal-confirm, terminal-error, activation-code, activation-expires, activation-close
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Input, Modal, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { z } from 'zod';
import {
  checkSettlementAccountRoute,
  createMerchantRoute,
  disableTerminalRoute,
  issueActivationCodeRoute,
  listMerchantsRoute,
  listMerchantTerminalsRoute,
  reactivateMerchantRoute,
  registerTerminalRoute,
  suspendMerchantRoute,
} from '@shared/api/merchants';
import { MERCHANT_CATEGORIES, SETTLEMENT_PERIODS, TERMINAL_KINDS, type MerchantCategory, type SettlementPeriod } from '@shared/vocabulary';
import { ReasonDialog } from '../components/ReasonDialog';
import { allowed, ErrorAlert, timeText, useConsole } from '../console-context';
import { useI18n } from '../i18n';

type Merchant = z.output<typeof listMerchantsRoute.response>['merchants'][number];
type Terminal = z.output<typeof listMerchantTerminalsRoute.response>['terminals'][number];
type Issued = z.output<typeof registerTerminalRoute.response>;
type Dialog = { kind: 'register' } | { kind: 'rotate' | 'disable'; terminal: Terminal };
type MerchantDialog = 'create' | 'suspend' | 'reactivate' | 'check';
type Check = z.output<typeof checkSettlementAccountRoute.response>;

const STATUS_COLORS: Record<string, string> = { active: 'green', pending_activation: 'orange', disabled: 'default', suspended: 'red' };

export function Terminals() {
  const { client, session } = useConsole();
  const { t, name } = useI18n();
  const [merchants, setMerchants] = useState<Merchant[]>([]);
  const [merchant, setMerchant] = useState<Merchant>();
  const [terminals, setTerminals] = useState<Terminal[]>([]);
  const [error, setError] = useState<unknown>();
  const [dialog, setDialog] = useState<Dialog>();
  const [issued, setIssued] = useState<Issued>();
  const [merchantDialog, setMerchantDialog] = useState<MerchantDialog>();

  const loadMerchants = useCallback(
    async (select?: string) => {
      try {
        const answer = await client.call(listMerchantsRoute, {});
        setMerchants(answer.merchants);
        setMerchant((current) => answer.merchants.find((m) => m.merchantId === (select ?? current?.merchantId)) ?? answer.merchants[0]);
      } catch (caught) {
        setError(caught);
      }
    },
    [client],
  );
  useEffect(() => {
    void loadMerchants();
  }, [loadMerchants]);
  const loadTerminals = useCallback(async () => {
    if (!merchant) return;
    try {
      setTerminals((await client.call(listMerchantTerminalsRoute, { params: { merchantId: merchant.merchantId } })).terminals);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  }, [client, merchant]);
  useEffect(() => {
    void loadTerminals();
  }, [loadTerminals]);

  const mayRegister = allowed(registerTerminalRoute, session.role);
  const mayManage = allowed(createMerchantRoute, session.role);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={9}>
        <Card
          title={t('merchants')}
          size="small"
          extra={
            <Button data-testid="merchant-register" disabled={!mayManage} onClick={() => setMerchantDialog('create')}>
              {t('registerMerchant')}
            </Button>
          }
        >
          <Table
            data-testid="merchants-table"
            size="small"
            rowKey="merchantId"
            pagination={false}
            dataSource={merchants}
            onRow={(row) => ({ onClick: () => setMerchant(row), style: { cursor: 'pointer', background: row.merchantId === merchant?.merchantId ? '#e6f4ff' : undefined }, 'data-testid': `merchant-row-${row.merchantId}` }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: 'ID', dataIndex: 'merchantId', width: 80 },
              { title: t('merchantName'), dataIndex: 'name' },
              { title: t('status'), dataIndex: 'status', width: 80, render: (v: string) => <Tag color={STATUS_COLORS[v]}>{name(v)}</Tag> },
            ]}
          />
        </Card>
        {merchant && (
          <Card
            title={`${merchant.name}（${merchant.merchantId}）`}
            size="small"
            style={{ marginTop: 16 }}
            data-testid="merchant-detail"
            extra={
              <Space>
                {merchant.status === 'active' ? (
                  <Button size="small" danger data-testid="merchant-suspend" disabled={!allowed(suspendMerchantRoute, session.role)} onClick={() => setMerchantDialog('suspend')}>
                    {t('suspendMerchant')}
                  </Button>
                ) : (
                  <Button size="small" data-testid="merchant-reactivate" disabled={!allowed(reactivateMerchantRoute, session.role)} onClick={() => setMerchantDialog('reactivate')}>
                    {t('reactivateMerchant')}
                  </Button>
                )}
                <Button size="small" data-testid="merchant-check" disabled={!allowed(checkSettlementAccountRoute, session.role) || !merchant.settlementAccount} onClick={() => setMerchantDialog('check')}>
                  {t('checkAccount')}
                </Button>
              </Space>
            }
          >
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('category')}>{name(merchant.category)}</Descriptions.Item>
              <Descriptions.Item label={t('periodKind')}>{name(merchant.settlementPeriod)}</Descriptions.Item>
              <Descriptions.Item label={t('feeRate')}>{(merchant.feeRateBps / 100).toFixed(2)}%</Descriptions.Item>
              <Descriptions.Item label={t('settlementAccount')}>
                {merchant.settlementAccount ? `${merchant.settlementAccount.bankName} · ${merchant.settlementAccount.accountName} · ${merchant.settlementAccount.masked}` : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('createdAt')}>{timeText(merchant.createdAt)}</Descriptions.Item>
            </Descriptions>
          </Card>
        )}
      </Col>
      <Col xs={24} xl={15}>
        <Card
          title={merchant ? `${merchant.name}（${merchant.merchantId}）· ${t('terminalsOf')}` : t('terminalsOf')}
          size="small"
          extra={
            <Button type="primary" data-testid="terminal-register" disabled={!merchant || !mayRegister} onClick={() => setDialog({ kind: 'register' })}>
              {t('registerTerminal')}
            </Button>
          }
        >
          <ErrorAlert error={error} testId="terminals-error" />
          <Table
            data-testid="terminals-table"
            size="small"
            rowKey="terminalId"
            pagination={false}
            dataSource={terminals}
            columns={[
              { title: t('terminalId'), dataIndex: 'terminalId' },
              { title: t('place'), dataIndex: 'place' },
              { title: t('kind'), dataIndex: 'kind', render: (v?: string) => (v ? name(v) : '—') },
              { title: t('status'), dataIndex: 'status', render: (v: string) => <Tag color={STATUS_COLORS[v]}>{name(v)}</Tag> },
              { title: t('activatedAt'), dataIndex: 'activatedAt', render: (v?: string) => (v ? timeText(v) : '—') },
              {
                title: t('actions'),
                key: 'actions',
                render: (_: unknown, terminal: Terminal) => (
                  <Space>
                    <Button size="small" data-testid={`terminal-rotate-${terminal.terminalId}`} disabled={!allowed(issueActivationCodeRoute, session.role)} onClick={() => setDialog({ kind: 'rotate', terminal })}>
                      {t('newCode')}
                    </Button>
                    <Button size="small" danger data-testid={`terminal-disable-${terminal.terminalId}`} disabled={terminal.status === 'disabled' || !allowed(disableTerminalRoute, session.role)} onClick={() => setDialog({ kind: 'disable', terminal })}>
                      {t('disable')}
                    </Button>
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      </Col>
      {dialog && merchant && (
        <TerminalDialog
          dialog={dialog}
          merchant={merchant}
          onClose={(answer) => {
            setDialog(undefined);
            if (answer) {
              if ('activationCode' in answer) setIssued(answer);
              void loadTerminals();
            }
          }}
        />
      )}
      {merchantDialog && (
        <MerchantActionDialog
          kind={merchantDialog}
          merchant={merchant}
          onCancel={() => setMerchantDialog(undefined)}
          onDone={(merchantId) => {
            setMerchantDialog(undefined);
            void loadMerchants(merchantId);
          }}
        />
      )}
      {issued && (
        <Modal
          open
          title={`${t('activationCode')} · ${issued.terminal.terminalId}`}
          closable={false}
          mask={{ closable: false }}
          footer={
            <Button type="primary" data-testid="activation-close" onClick={() => setIssued(undefined)}>
              {t('codeNoted')}
            </Button>
          }
        >
          <Alert type="warning" showIcon title={t('codeOnce')} style={{ marginBottom: 16 }} />
          <div data-testid="activation-code" style={{ fontSize: 32, fontFamily: 'monospace', letterSpacing: 2, textAlign: 'center', padding: 12, background: '#fafafa', borderRadius: 8 }}>
            {issued.activationCode}
          </div>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12 }} data-testid="activation-expires">
            {issued.terminal.place} · {t('codeExpires')} {timeText(issued.activationExpiresAt)}
          </Typography.Paragraph>
        </Modal>
      )}
    </Row>
  );
}

/** The terminals flow's dialog, under the test ids its tests and the end-to-end test know. */
const TERMINAL_DIALOG_IDS = { dialog: 'terminal-dialog', input: 'terminal-reason', confirm: 'terminal-confirm', error: 'terminal-error' };

function TerminalDialog({ dialog, merchant, onClose }: { dialog: Dialog; merchant: Merchant; onClose(answer?: Issued | Terminal): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [terminalId, setTerminalId] = useState('');
  const [place, setPlace] = useState('');
  const [kind, setKind] = useState<(typeof TERMINAL_KINDS)[number]>('pos');
  const title = dialog.kind === 'register' ? `${t('registerTerminal')} · ${merchant.name}` : `${dialog.kind === 'rotate' ? t('newCode') : t('disable')} · ${dialog.terminal.terminalId}`;
  const summary = dialog.kind === 'register' ? t('whatRegisterTerminal') : dialog.kind === 'rotate' ? t('whatNewCode') : t('whatDisableTerminal');

  async function confirm(reason: string) {
    if (dialog.kind === 'register') onClose(await client.call(registerTerminalRoute, { body: { terminalId: terminalId.trim(), merchantId: merchant.merchantId, place, kind, reason } }));
    else if (dialog.kind === 'rotate') onClose(await client.call(issueActivationCodeRoute, { params: { terminalId: dialog.terminal.terminalId }, body: { reason } }));
    else onClose(await client.call(disableTerminalRoute, { params: { terminalId: dialog.terminal.terminalId }, body: { reason } }));
  }

  return (
    <ReasonDialog title={title} summary={summary} danger={dialog.kind === 'disable'} ready={dialog.kind !== 'register' || (terminalId.trim() !== '' && place.trim() !== '')} onConfirm={confirm} onCancel={() => onClose()} testIds={TERMINAL_DIALOG_IDS}>
      {dialog.kind === 'register' && (
        <>
          <Typography.Text strong>{t('terminalId')}</Typography.Text>
          <Input data-testid="terminal-field-terminalId" value={terminalId} onChange={(e) => setTerminalId(e.target.value)} placeholder={`POS-${merchant.merchantId}-03`} />
          <Typography.Text strong>{t('place')}</Typography.Text>
          <Input data-testid="terminal-field-place" value={place} onChange={(e) => setPlace(e.target.value)} placeholder="一食堂 2F 窗口 3" />
          <Typography.Text strong>{t('kind')}</Typography.Text>
          <Select data-testid="terminal-field-kind" value={kind} onChange={setKind} options={TERMINAL_KINDS.map((value) => ({ value, label: name(value) }))} style={{ width: '100%' }} />
        </>
      )}
    </ReasonDialog>
  );
}

/** Percent as staff type it (0.5) to the API's basis points (50); undefined when it is not a number the API takes. */
export function feeBps(percent: string): number | undefined {
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(percent.trim())) return undefined;
  const bps = Math.round(Number(percent.trim()) * 100);
  return bps <= 1_000 ? bps : undefined;
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Typography.Text strong>{label}</Typography.Text>
      {children}
    </div>
  );
}

function MerchantActionDialog({ kind, merchant, onCancel, onDone }: { kind: MerchantDialog; merchant?: Merchant; onCancel(): void; onDone(merchantId?: string): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [form, setForm] = useState({ merchantId: '', name: '', bankName: '', accountName: '', accountNumber: '', fee: '0.5' });
  const [category, setCategory] = useState<MerchantCategory>('canteen');
  const [period, setPeriod] = useState<SettlementPeriod>('weekly');
  const [check, setCheck] = useState<Check>();
  const field = (key: keyof typeof form) => ({
    'data-testid': `merchant-field-${key}`,
    value: form[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [key]: e.target.value })),
  });

  if (kind === 'create') {
    const bps = feeBps(form.fee);
    const ready = bps !== undefined && [form.merchantId, form.name, form.bankName, form.accountName, form.accountNumber].every((v) => v.trim() !== '');
    return (
      <ReasonDialog
        title={t('registerMerchant')}
        summary={t('whatRegisterMerchant')}
        ready={ready}
        onCancel={onCancel}
        onConfirm={async (reason) => {
          const created = await client.call(createMerchantRoute, {
            body: {
              merchantId: form.merchantId.trim(),
              name: form.name,
              category,
              settlementPeriod: period,
              feeRateBps: bps!,
              settlementAccount: { bankName: form.bankName, accountName: form.accountName, accountNumber: form.accountNumber },
              reason,
            },
          });
          onDone(created.merchantId);
        }}
      >
        <Row gutter={12}>
          <Col span={10}>
            <Field label={t('merchantIdLabel')}>
              <Input {...field('merchantId')} placeholder="CANTEEN2" />
            </Field>
          </Col>
          <Col span={14}>
            <Field label={t('merchantName')}>
              <Input {...field('name')} placeholder="第二食堂" />
            </Field>
          </Col>
          <Col span={10}>
            <Field label={t('category')}>
              <Select data-testid="merchant-field-category" value={category} onChange={setCategory} style={{ width: '100%' }} options={MERCHANT_CATEGORIES.map((value) => ({ value, label: name(value) }))} />
            </Field>
          </Col>
          <Col span={7}>
            <Field label={t('periodKind')}>
              <Select data-testid="merchant-field-period" value={period} onChange={setPeriod} style={{ width: '100%' }} options={SETTLEMENT_PERIODS.map((value) => ({ value, label: name(value) }))} />
            </Field>
          </Col>
          <Col span={7}>
            <Field label={t('feePercent')}>
              <Input {...field('fee')} suffix="%" status={bps === undefined ? 'error' : undefined} />
            </Field>
          </Col>
        </Row>
        <Typography.Text type="secondary">{t('settlementAccount')}</Typography.Text>
        <Row gutter={12}>
          <Col span={12}>
            <Field label={t('bankName')}>
              <Input {...field('bankName')} placeholder="中国工商银行" />
            </Field>
          </Col>
          <Col span={12}>
            <Field label={t('accountName')}>
              <Input {...field('accountName')} placeholder="某某餐饮管理有限公司" />
            </Field>
          </Col>
          <Col span={24}>
            <Field label={t('accountNumber')}>
              <Input {...field('accountNumber')} placeholder="6222 0000 0000 0000 123" autoComplete="off" />
            </Field>
          </Col>
        </Row>
      </ReasonDialog>
    );
  }
  if (!merchant) return null;
  if (kind === 'check')
    return (
      <ReasonDialog
        title={`${t('checkAccount')} · ${merchant.name}`}
        summary={`${t('whatCheckAccount')}${merchant.settlementAccount?.masked ?? ''}`}
        ready={form.accountNumber.trim() !== ''}
        onCancel={onCancel}
        onClose={() => onDone()}
        onConfirm={async (reason) => setCheck(await client.call(checkSettlementAccountRoute, { params: { merchantId: merchant.merchantId }, body: { accountNumber: form.accountNumber, reason } }))}
        result={
          check && (
            <Alert data-testid="merchant-check-result" data-matches={String(check.matches)} type={check.matches ? 'success' : 'error'} showIcon title={check.matches ? t('accountMatches') : t('accountDiffers')} description={check.masked} />
          )
        }
      >
        <Input {...field('accountNumber')} data-testid="merchant-check-number" placeholder={t('accountNumber')} autoComplete="off" />
      </ReasonDialog>
    );
  const suspend = kind === 'suspend';
  return (
    <ReasonDialog
      title={`${suspend ? t('suspendMerchant') : t('reactivateMerchant')} · ${merchant.name}`}
      summary={suspend ? t('whatSuspend') : t('whatReactivate')}
      danger={suspend}
      onCancel={onCancel}
      onConfirm={async (reason) => {
        await client.call(suspend ? suspendMerchantRoute : reactivateMerchantRoute, { params: { merchantId: merchant.merchantId }, body: { reason } });
        onDone(merchant.merchantId);
      }}
    />
  );
}
