/**
 * The kiosk's flows after the menu, each a small state machine of keyed entries (each confirmed with
 * 确认) ending in one request. A flow reports its result to the kiosk (onDone) or goes back (onCancel).
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import { Button, Input, Segmented, Typography } from 'antd';
import { bankTransfer } from '@shared/api/pos';
import { kioskChangePassword, kioskReportLoss, kioskSetDailyLimit, kioskUnfreeze } from '@shared/api/kiosk';
import { kioskReplacement } from '@shared/api/lifecycle';
import { newRequestId, TerminalRefusal, TerminalUnreachable, type TerminalClient } from '@shared/terminal-client';
import { yuan } from '../../format';
import { Keypad } from '../../components/Keypad';
import { failureCode, failureText } from './failure';

export interface KioskResult {
  status: 'ok' | 'refused';
  title: string;
  lines: string[];
  code?: string | undefined;
}

export interface FlowProps {
  client: TerminalClient;
  onDone(result: KioskResult): void;
  onCancel(): void;
}

/** The kiosk's result panel (data-testid kiosk-result, data-status ok|refused). */
export function ResultPanel({ result }: { result: KioskResult }) {
  const ok = result.status === 'ok';
  return (
    <div
      data-testid="kiosk-result"
      data-status={result.status}
      data-code={result.code ?? ''}
      role={ok ? 'status' : 'alert'}
      style={{ width: '100%', padding: '10px 16px', borderRadius: 12, background: ok ? '#f6ffed' : '#fff1f0', border: `3px solid ${ok ? '#52c41a' : '#ff4d4f'}`, textAlign: 'center' }}
    >
      <Typography.Title level={2} style={{ margin: 0, color: ok ? '#389e0d' : '#cf1322' }}>
        {result.title}
      </Typography.Title>
      {result.lines.map((line, i) => (
        <div key={i} style={{ fontSize: 22, marginTop: 4 }} data-testid={!ok && i === 0 ? 'kiosk-reason' : undefined}>
          {line}
        </div>
      ))}
    </div>
  );
}

const BIG = { height: 64, fontSize: 22, minWidth: 160 } as const;

export function refusedResult(title: string, error: unknown): KioskResult {
  return { status: 'refused', title, lines: [failureText(error)], code: failureCode(error) };
}

/** A request failed: the refusal (or no answer), with 重试 when the same request may go again. */
function Failed({ result, onRetry, onBack, retryLabel = '重试' }: { result: KioskResult; onRetry?: (() => void) | undefined; onBack(): void; retryLabel?: string }) {
  return (
    <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 12, width: '100%' }}>
      <ResultPanel result={result} />
      <div style={{ display: 'flex', gap: 12 }}>
        {onRetry && (
          <Button type="primary" size="large" style={BIG} data-testid="kiosk-retry" onClick={onRetry}>
            {retryLabel}
          </Button>
        )}
        <Button size="large" style={BIG} data-testid="kiosk-back" onClick={onBack}>
          返回
        </Button>
      </div>
    </div>
  );
}

const MIN_TRANSFER_YUAN = 1;
const MAX_TRANSFER_YUAN = 500;
/** Worth sending again under the same transferId: the bank or the platform did not decide. */
const TRANSFER_RETRYABLE = new Set(['BANK_UNAVAILABLE', 'BUSY_RETRY']);

export interface TransferPosted {
  amountFen: number;
  purse: 'balance' | 'transitional';
  balanceFen: number;
  transitionalFen: number;
  receiptNo: string;
}

/**
 * 圈存: amount (1–500 yuan) → bank PIN → POST /v1/pos/bank-transfers. The transferId is made when the
 * amount is confirmed and kept for every resend of that transfer (a lost answer, the bank
 * unavailable), so a retry never moves money twice; a refused transfer starts afresh.
 */
export function TransferFlow({ client, chipUid, queryPassword, bankCardMasked, onPosted, onCancel }: Omit<FlowProps, 'onDone'> & { chipUid: string; queryPassword: string; bankCardMasked?: string | undefined; onPosted(posted: TransferPosted): void }) {
  const [phase, setPhase] = useState<'amount' | 'pin' | 'sending' | 'failed'>('amount');
  const [amountYuan, setAmountYuan] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const [failed, setFailed] = useState<{ result: KioskResult; retry: boolean } | undefined>();
  const transfer = useRef<{ transferId: string; amountFen: number; bankPin: string } | undefined>(undefined);

  const send = useCallback(async () => {
    const request = transfer.current;
    if (!request) return;
    setPhase('sending');
    try {
      const answer = await client.call(bankTransfer, { body: { transferId: request.transferId, chipUid, amountFen: request.amountFen, queryPassword, bankPin: request.bankPin } });
      onPosted(answer);
    } catch (error) {
      const retry = error instanceof TerminalUnreachable || (error instanceof TerminalRefusal && TRANSFER_RETRYABLE.has(error.code));
      if (!retry) transfer.current = undefined;
      if (error instanceof TerminalRefusal && error.code === 'BANK_PIN_WRONG') {
        // Typed again: a new transfer (the refused one is closed).
        setMessage(error.zh);
        setPhase('pin');
        return;
      }
      const result = refusedResult(retry ? '转账未完成' : '转账失败', error);
      // No decision yet: say that the retry continues this same transfer, so the holder need not fear paying twice.
      if (retry) result.lines = [error instanceof TerminalUnreachable ? '银行或网络暂时无法连接' : failureText(error), '点"重试"继续同一笔转账，不会重复扣款'];
      setFailed({ result, retry });
      setPhase('failed');
    }
  }, [chipUid, client, onPosted, queryPassword]);

  if (phase === 'amount')
    return (
      <Keypad
        confirm
        masked={false}
        key="amount"
        title={bankCardMasked ? `从银行卡 ${bankCardMasked} 转入（${MIN_TRANSFER_YUAN}–${MAX_TRANSFER_YUAN} 元）` : `转账金额（${MIN_TRANSFER_YUAN}–${MAX_TRANSFER_YUAN} 元）`}
        prefix="¥"
        unit="元"
        length={3}
        initial={amountYuan}
        message={message}
        onCancel={onCancel}
        onSubmit={(digits) => {
          const value = Number(digits);
          if (value < MIN_TRANSFER_YUAN || value > MAX_TRANSFER_YUAN) {
            setMessage(TerminalRefusal.local('TOPUP_AMOUNT_OUT_OF_RANGE', { min: MIN_TRANSFER_YUAN, max: MAX_TRANSFER_YUAN }).zh);
            return;
          }
          setAmountYuan(digits);
          setMessage(undefined);
          setPhase('pin');
        }}
      />
    );
  if (phase === 'pin' || phase === 'sending')
    return (
      <Keypad
        confirm
        key="pin"
        title={`转入 ¥${amountYuan}.00，请输入银行卡密码`}
        masked
        minLength={6}
        length={6}
        message={phase === 'sending' ? '正在转账，请稍候…' : message}
        disabled={phase === 'sending'}
        onCancel={onCancel}
        onSubmit={(bankPin) => {
          transfer.current = { transferId: newRequestId('KT'), amountFen: Number(amountYuan) * 100, bankPin };
          setMessage(undefined);
          void send();
        }}
      />
    );
  return (
    <Failed
      result={failed!.result}
      retryLabel={failed!.retry ? '重试（同一笔）' : '重新输入'}
      onRetry={
        failed!.retry
          ? () => void send()
          : () => {
              setMessage(undefined);
              setPhase('amount');
            }
      }
      onBack={onCancel}
    />
  );
}

/** The account number keyed at the kiosk (loss and replacement work without the card). */
function AccountNoPad({ title, initial, onSubmit, onCancel }: { title: string; initial: string; onSubmit(digits: string): void; onCancel(): void }) {
  return <Keypad confirm masked={false} key="account" title={title} minLength={5} length={12} initial={initial} onCancel={onCancel} onSubmit={onSubmit} />;
}

/** 挂失: the account number (the card may be gone) and the query password. */
export function LossFlow({ client, knownAccountNo, onDone, onCancel }: FlowProps & { knownAccountNo?: string | undefined }) {
  const [accountNo, setAccountNo] = useState(knownAccountNo ?? '');
  const [phase, setPhase] = useState<'account' | 'password' | 'sending'>(knownAccountNo ? 'password' : 'account');
  const [message, setMessage] = useState<string | undefined>();
  if (phase === 'account')
    return (
      <AccountNoPad
        title="挂失：请输入账号"
        initial={accountNo}
        onCancel={onCancel}
        onSubmit={(digits) => {
          setAccountNo(digits);
          setPhase('password');
        }}
      />
    );
  return (
    <Keypad
      confirm
      key="password"
      title={`挂失账号 ${accountNo}：请输入查询密码`}
      masked
      minLength={6}
      length={6}
      message={phase === 'sending' ? '正在办理…' : message}
      disabled={phase === 'sending'}
      onCancel={onCancel}
      onSubmit={async (queryPassword) => {
        setPhase('sending');
        try {
          await client.call(kioskReportLoss, { body: { accountNo, queryPassword } });
          onDone({ status: 'ok', title: '挂失成功', lines: [`账号 ${accountNo} 的卡片已停用`, '找回卡片后可在自助机插卡解挂'] });
        } catch (error) {
          if (failureCode(error) === 'PASSWORD_WRONG') {
            setMessage(failureText(error));
            setPhase('password');
          } else onDone(refusedResult('挂失失败', error));
        }
      }}
    />
  );
}

/** 解挂: the card in the slot and the query password. */
export function UnfreezeFlow({ client, chipUid, onDone, onCancel }: FlowProps & { chipUid: string }) {
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  return (
    <Keypad
      confirm
      title="解挂：请输入查询密码"
      masked
      minLength={6}
      length={6}
      message={sending ? '正在办理…' : message}
      disabled={sending}
      onCancel={onCancel}
      onSubmit={async (queryPassword) => {
        setSending(true);
        try {
          await client.call(kioskUnfreeze, { body: { chipUid, queryPassword } });
          onDone({ status: 'ok', title: '解挂成功', lines: ['卡片已恢复使用'] });
        } catch (error) {
          setSending(false);
          if (failureCode(error) === 'PASSWORD_WRONG') setMessage(failureText(error));
          else onDone(refusedResult('解挂失败', error));
        }
      }}
    />
  );
}

const PASSWORD_NAMES = { query: '查询密码', consumption: '消费密码' } as const;

/** 修改密码: which one, the old, the new, the new again. */
export function PasswordChangeFlow({ client, chipUid, onDone, onCancel, onChanged }: FlowProps & { chipUid: string; onChanged(kind: 'query' | 'consumption', password: string): void }) {
  const [kind, setKind] = useState<'query' | 'consumption' | undefined>();
  const [phase, setPhase] = useState<'old' | 'new' | 'again' | 'sending'>('old');
  const [message, setMessage] = useState<string | undefined>();
  const entered = useRef({ old: '', next: '' });
  if (!kind)
    return (
      <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          修改哪个密码？
        </Typography.Title>
        <div style={{ display: 'flex', gap: 16 }}>
          <Button type="primary" size="large" style={BIG} data-testid="kiosk-pw-query" onClick={() => setKind('query')}>
            查询密码
          </Button>
          <Button type="primary" size="large" style={BIG} data-testid="kiosk-pw-consumption" onClick={() => setKind('consumption')}>
            消费密码
          </Button>
        </div>
        <Button size="large" style={BIG} data-testid="kiosk-back" onClick={onCancel}>
          返回
        </Button>
      </div>
    );
  const name = PASSWORD_NAMES[kind];
  const titles = { old: `请输入原${name}`, new: `请输入新${name}`, again: `请再次输入新${name}`, sending: `请再次输入新${name}` };
  return (
    <Keypad
      confirm
      key={phase === 'sending' ? 'again' : phase}
      title={titles[phase]}
      masked
      minLength={6}
      length={6}
      message={phase === 'sending' ? '正在修改…' : message}
      disabled={phase === 'sending'}
      onCancel={onCancel}
      onSubmit={async (digits) => {
        setMessage(undefined);
        if (phase === 'old') {
          entered.current.old = digits;
          return setPhase('new');
        }
        if (phase === 'new') {
          entered.current.next = digits;
          return setPhase('again');
        }
        if (digits !== entered.current.next) {
          setMessage('两次输入的新密码不一致，请重新输入');
          return setPhase('new');
        }
        setPhase('sending');
        try {
          await client.call(kioskChangePassword, { params: { kind }, body: { chipUid, oldPassword: entered.current.old, newPassword: digits } });
          onChanged(kind, digits);
          onDone({ status: 'ok', title: `${name}已修改`, lines: ['请牢记新密码'] });
        } catch (error) {
          const code = failureCode(error);
          setMessage(failureText(error));
          if (code === 'PASSWORD_WRONG') setPhase('old');
          else if (code === 'PASSWORD_UNCHANGED') setPhase('new');
          else onDone(refusedResult('修改失败', error));
        }
      }}
    />
  );
}

/** 每日限额: the new limit in yuan, then the consumption password. */
export function DailyLimitFlow({ client, chipUid, currentFen, onDone, onCancel, onChanged }: FlowProps & { chipUid: string; currentFen: number; onChanged(fen: number): void }) {
  const [phase, setPhase] = useState<'amount' | 'password' | 'sending'>('amount');
  const [limitYuan, setLimitYuan] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  if (phase === 'amount')
    return (
      <Keypad
        confirm
        masked={false}
        key="amount"
        title={`每日限额（当前 ${yuan(currentFen)}）：请输入新限额`}
        prefix="¥"
        unit="元"
        length={5}
        initial={limitYuan}
        message={message}
        onCancel={onCancel}
        onSubmit={(digits) => {
          setLimitYuan(String(Number(digits)));
          setMessage(undefined);
          setPhase('password');
        }}
      />
    );
  return (
    <Keypad
      confirm
      key="password"
      title={`新限额 ¥${limitYuan}.00：请输入消费密码`}
      masked
      minLength={6}
      length={6}
      message={phase === 'sending' ? '正在修改…' : message}
      disabled={phase === 'sending'}
      onCancel={onCancel}
      onSubmit={async (consumptionPassword) => {
        setPhase('sending');
        try {
          const answer = await client.call(kioskSetDailyLimit, { body: { chipUid, dailyLimitFen: Number(limitYuan) * 100, consumptionPassword } });
          onChanged(answer.dailyLimitFen);
          onDone({ status: 'ok', title: '每日限额已修改', lines: [`新的每日限额 ${yuan(answer.dailyLimitFen)}`] });
        } catch (error) {
          const code = failureCode(error);
          setMessage(failureText(error));
          if (code === 'PASSWORD_WRONG') setPhase('password');
          else if (code === 'DAILY_LIMIT_OUT_OF_RANGE') setPhase('amount');
          else onDone(refusedResult('修改失败', error));
        }
      }}
    />
  );
}

function blankUid(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(7)), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

const CHIP_UID = /^[0-9A-F]{8,20}$/;

/**
 * 补卡: the new card (a blank card from the kiosk's stack, or its chip UID typed), the account (known
 * when the old card is in the slot), the query password; the fee comes off the balance. The
 * replacementId is kept across a resend after no answer.
 */
export function ReplaceFlow({ client, knownAccountNo, onDone, onCancel, onReplaced }: FlowProps & { knownAccountNo?: string | undefined; onReplaced?(): void }) {
  const blanks = useMemo(() => [blankUid(), blankUid(), blankUid()], []);
  const [phase, setPhase] = useState<'card' | 'account' | 'password' | 'sending' | 'failed'>('card');
  const [newChipUid, setNewChipUid] = useState('');
  const [newKind, setNewKind] = useState<'cpu' | 'm1'>('cpu');
  const [typed, setTyped] = useState('');
  const [accountNo, setAccountNo] = useState(knownAccountNo ?? '');
  const [message, setMessage] = useState<string | undefined>();
  const [failed, setFailed] = useState<KioskResult | undefined>();
  const request = useRef<{ replacementId: string; queryPassword: string } | undefined>(undefined);

  const send = useCallback(async () => {
    const pending = request.current;
    if (!pending) return;
    setPhase('sending');
    try {
      const answer = await client.call(kioskReplacement, { body: { replacementId: pending.replacementId, accountNo, queryPassword: pending.queryPassword, newChipUid, newKind } });
      onReplaced?.();
      onDone({
        status: 'ok',
        title: '补卡成功',
        lines: [`新卡 ${newChipUid} 已启用，旧卡已作废`, `工本费 ${yuan(answer.feeFen)}（已从余额扣除）`, `余额 ${yuan(answer.balanceFen)}`, `凭证号 ${answer.receiptNo}`],
      });
    } catch (error) {
      if (error instanceof TerminalUnreachable) {
        setFailed(refusedResult('补卡未完成', error));
        return setPhase('failed');
      }
      request.current = undefined;
      if (failureCode(error) === 'PASSWORD_WRONG') {
        setMessage(failureText(error));
        return setPhase('password');
      }
      onDone(refusedResult('补卡失败', error));
    }
  }, [accountNo, client, newChipUid, newKind, onDone, onReplaced]);

  const chosen = (uid: string, kind: 'cpu' | 'm1') => {
    setNewChipUid(uid);
    setNewKind(kind);
    setMessage(undefined);
    setPhase(knownAccountNo ? 'password' : 'account');
  };

  if (phase === 'card')
    return (
      <div style={{ display: 'flex', flexDirection: 'column', gap: 8, width: '100%', maxWidth: 560 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          补卡：请取一张新卡
        </Typography.Title>
        <Typography.Text style={{ fontSize: 17 }}>工本费从余额扣除（补卡后显示），旧卡立即作废</Typography.Text>
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', gap: 8 }}>
          {blanks.map((uid) => (
            <Button key={uid} size="large" style={{ height: 56, fontSize: 18, padding: 0 }} data-testid={`kiosk-blank-${uid}`} onClick={() => chosen(uid, 'cpu')}>
              空白卡 ···{uid.slice(-4)}
            </Button>
          ))}
        </div>
        <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <Input
            size="large"
            style={{ flex: 1, minWidth: 0, height: 56, fontSize: 20 }}
            placeholder="或输入新卡芯片号"
            data-testid="kiosk-new-uid"
            value={typed}
            onChange={(e) => setTyped(e.target.value.toUpperCase().replace(/[^0-9A-F]/g, ''))}
          />
          <Segmented<'cpu' | 'm1'> size="large" value={newKind} onChange={setNewKind} options={[{ value: 'cpu', label: 'CPU卡' }, { value: 'm1', label: 'M1卡' }]} />
        </div>
        {message && (
          <Typography.Text type="danger" style={{ fontSize: 18 }}>
            {message}
          </Typography.Text>
        )}
        <div style={{ display: 'flex', gap: 12 }}>
          <Button
            type="primary"
            size="large"
            style={BIG}
            data-testid="kiosk-new-uid-confirm"
            onClick={() => (CHIP_UID.test(typed) ? chosen(typed, newKind) : setMessage('芯片号须为 8 至 20 位十六进制字符'))}
          >
            确认
          </Button>
          <Button size="large" style={BIG} data-testid="kiosk-back" onClick={onCancel}>
            返回
          </Button>
        </div>
      </div>
    );
  if (phase === 'account')
    return (
      <AccountNoPad
        title="补卡：请输入账号"
        initial={accountNo}
        onCancel={onCancel}
        onSubmit={(digits) => {
          setAccountNo(digits);
          setPhase('password');
        }}
      />
    );
  if (phase === 'failed') return <Failed result={failed!} retryLabel="重试（同一笔）" onRetry={() => void send()} onBack={onCancel} />;
  return (
    <Keypad
      confirm
      key="password"
      title={`补办新卡 ···${newChipUid.slice(-4)}：请输入查询密码`}
      masked
      minLength={6}
      length={6}
      message={phase === 'sending' ? '正在补卡…' : message}
      disabled={phase === 'sending'}
      onCancel={onCancel}
      onSubmit={(queryPassword) => {
        request.current = { replacementId: newRequestId('KR'), queryPassword };
        void send();
      }}
    />
  );
}
