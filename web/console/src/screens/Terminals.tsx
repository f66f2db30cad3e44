/**
 * Merchants and their terminals: pick a merchant, see its terminals, register one (the one-time
 * activation code is shown once, in its own dialog, and kept nowhere), issue a new code (rotation or
 * re-activation) or disable one, each with a required reason.
 *
 * data-testids: merchants-table, merchant-row-<merchantId>, terminals-table, terminals-error,
 *   terminal-register, terminal-rotate-<terminalId>, terminal-disable-<terminalId>,
 *   terminal-dialog, terminal-field-terminalId, terminal-field-place, terminal-field-kind,
 *   terminal-reason, terminal-confirm, terminal-error, activation-code, activation-expires, activation-close
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Input, Modal, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { z } from 'zod';
import { disableTerminalRoute, issueActivationCodeRoute, listMerchantsRoute, listMerchantTerminalsRoute, registerTerminalRoute } from '@shared/api/merchants';
import { TERMINAL_KINDS } from '@shared/vocabulary';
import { ApiError } from '../api';
import { allowed, ErrorAlert, timeText, useConsole } from '../console-context';
import { useI18n } from '../i18n';

type Merchant = z.output<typeof listMerchantsRoute.response>['merchants'][number];
type Terminal = z.output<typeof listMerchantTerminalsRoute.response>['terminals'][number];
type Issued = z.output<typeof registerTerminalRoute.response>;
type Dialog = { kind: 'register' } | { kind: 'rotate' | 'disable'; terminal: Terminal };

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

  useEffect(() => {
    client.call(listMerchantsRoute, {}).then(
      (answer) => {
        setMerchants(answer.merchants);
        setMerchant((current) => current ?? answer.merchants[0]);
      },
      (caught: unknown) => setError(caught),
    );
  }, [client]);
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
  return (
    <Row gutter={16}>
      <Col xs={24} xl={9}>
        <Card title={t('merchants')} size="small">
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

function TerminalDialog({ dialog, merchant, onClose }: { dialog: Dialog; merchant: Merchant; onClose(answer?: Issued | Terminal): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [terminalId, setTerminalId] = useState('');
  const [place, setPlace] = useState('');
  const [kind, setKind] = useState<(typeof TERMINAL_KINDS)[number]>('pos');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const title = dialog.kind === 'register' ? `${t('registerTerminal')} · ${merchant.name}` : `${dialog.kind === 'rotate' ? t('newCode') : t('disable')} · ${dialog.terminal.terminalId}`;

  async function confirm() {
    if (reason.trim().length < 2) {
      setError(new ApiError(0, 'REASON_REQUIRED', '请写明原因（至少 2 个字）', 'Say why (at least 2 characters)'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      if (dialog.kind === 'register') onClose(await client.call(registerTerminalRoute, { body: { terminalId: terminalId.trim(), merchantId: merchant.merchantId, place, kind, reason } }));
      else if (dialog.kind === 'rotate') onClose(await client.call(issueActivationCodeRoute, { params: { terminalId: dialog.terminal.terminalId }, body: { reason } }));
      else onClose(await client.call(disableTerminalRoute, { params: { terminalId: dialog.terminal.terminalId }, body: { reason } }));
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={title}
      onCancel={() => onClose()}
      mask={{ closable: false }}
      footer={
        <Space>
          <Button onClick={() => onClose()}>{t('cancel')}</Button>
          <Button type="primary" danger={dialog.kind === 'disable'} loading={busy} data-testid="terminal-confirm" onClick={() => void confirm()}>
            {t('confirm')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }} data-testid="terminal-dialog">
        <ErrorAlert error={error} testId="terminal-error" />
        {dialog.kind === 'register' && (
          <>
            <Typography.Text strong>{t('terminalId')}</Typography.Text>
            <Input data-testid="terminal-field-terminalId" value={terminalId} onChange={(e) => setTerminalId(e.target.value)} placeholder={`POS-${merchant.merchantId}-03`} />
            <Typography.Text strong>{t('place')}</Typography.Text>
            <Input data-testid="terminal-field-place" value={place} onChange={(e) => setPlace(e.target.value)} placeholder="一食堂 2F 窗口 3" />
            <Typography.Text strong>{t('kind')}</Typography.Text>
            <Select data-testid="terminal-field-kind" value={kind} onChange={setKind} options={TERMINAL_KINDS.map((value) => ({ value, label: name(value) }))} />
          </>
        )}
        <Typography.Text strong>{t('reason')}</Typography.Text>
        <Input.TextArea data-testid="terminal-reason" rows={2} maxLength={200} placeholder={t('reasonHint')} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Space>
    </Modal>
  );
}
