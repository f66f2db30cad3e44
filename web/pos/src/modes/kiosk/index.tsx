/**
 * Kiosk mode (圈存机, DOMAIN.md "Self-service kiosk"): card in → query password → the balances and
 * the menu: bank transfer (then 写入卡片: reserve → write the chip → confirm), loss, unfreeze,
 * password changes, the daily limit, card replacement. Loss and replacement also work without a
 * card (account number + query password). The card taken out → back to 请插卡; 60 s untouched →
 * the card is ejected and the kiosk starts again.
 *
 * data-testids: `kiosk-step` (data-step insert|password|menu|transfer|loss|unfreeze|password-change|
 * daily-limit|replace|found-card|done), `kiosk-balance`, `kiosk-transitional`, `kiosk-daily-limit`,
 * `kiosk-bank-card`, menu buttons `kiosk-menu-<step>`, `kiosk-result` (data-status ok|refused,
 * data-code), `kiosk-reason`, `kiosk-load` (写入卡片), `kiosk-retry`, `kiosk-back`, `kiosk-eject`,
 * `kiosk-notice`; the keypad's `keypad-<digit>`, `keypad-confirm`, `keypad-cancel`, `keypad-message`.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Typography } from 'antd';
import type { z } from 'zod';
import { kioskBalanceQuery } from '@shared/api/kiosk';
import { confirmCardLoad, reserveCardLoad } from '@shared/api/pos';
import { CardRack, useCardReader } from '../../cards/card-reader';
import { beep } from '../../feedback';
import { yuan } from '../../format';
import { useTerminal } from '../../terminal-context';
import { Keypad } from '../../components/Keypad';
import { failureText } from './failure';
import { FoundCardFlow } from './found-card';
import { DailyLimitFlow, LossFlow, PasswordChangeFlow, ReplaceFlow, ResultPanel, TransferFlow, UnfreezeFlow, refusedResult, type KioskResult, type TransferPosted } from './flows';

export type KioskStep = 'insert' | 'password' | 'menu' | 'transfer' | 'loss' | 'unfreeze' | 'password-change' | 'daily-limit' | 'replace' | 'found-card' | 'done';

type Balance = z.output<(typeof kioskBalanceQuery)['response']>;

/** Untouched this long: eject the card and start again (the next person must not find the last one's menu). */
export const KIOSK_IDLE_MS = 60_000;

interface CardSession {
  chipUid: string;
  queryPassword: string;
  balance: Balance;
}

const STATUS_ZH: Record<Balance['status'], string> = { active: '正常', lost: '已挂失', frozen: '已冻结', cancelled: '已注销', expired: '已过期' };

export function KioskMode() {
  const { client } = useTerminal();
  const reader = useCardReader();
  const present = reader.present;
  const [step, setStep] = useState<KioskStep>('insert');
  const [session, setSession] = useState<CardSession | undefined>();
  const [result, setResult] = useState<KioskResult | undefined>();
  /** After a transfer to the transitional purse: offer 写入卡片. */
  const [loadable, setLoadable] = useState(false);
  const [loading, setLoading] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const [passwordMessage, setPasswordMessage] = useState<string | undefined>();
  const [checking, setChecking] = useState(false);
  const cardUid = useRef<string | undefined>(undefined);

  const restart = useCallback(() => {
    setSession(undefined);
    setResult(undefined);
    setLoadable(false);
    setPasswordMessage(undefined);
    setStep('insert');
  }, []);

  // The card in the slot drives the start: a card in → its password; taken out → 请插卡.
  useEffect(() => {
    const uid = present?.chipUid;
    if (uid === cardUid.current) return;
    cardUid.current = uid;
    restart();
    if (uid) {
      setNotice(undefined);
      setStep('password');
    }
  }, [present?.chipUid, restart]);

  // Idle: any touch or key re-arms the timer.
  useEffect(() => {
    if (step === 'insert' && !notice) return;
    const expire = () => {
      setNotice(undefined);
      reader.remove();
      restart();
    };
    let timer = setTimeout(expire, KIOSK_IDLE_MS);
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(expire, KIOSK_IDLE_MS);
    };
    window.addEventListener('pointerdown', touch, true);
    window.addEventListener('keydown', touch, true);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointerdown', touch, true);
      window.removeEventListener('keydown', touch, true);
    };
  }, [step, notice, reader, restart]);

  // Self-service: a refusal is read on the screen, not sounded as a continuous alarm at the holder.
  const finish = useCallback((next: KioskResult) => {
    setResult(next);
    if (next.status === 'ok') beep();
    setStep('done');
  }, []);

  const checkPassword = useCallback(
    async (queryPassword: string) => {
      if (!present) return;
      setChecking(true);
      try {
        const balance = await client.call(kioskBalanceQuery, { body: { chipUid: present.chipUid, queryPassword } });
        setSession({ chipUid: present.chipUid, queryPassword, balance });
        setPasswordMessage(undefined);
        setStep('menu');
      } catch (error) {
        setPasswordMessage(failureText(error));
      } finally {
        setChecking(false);
      }
    },
    [client, present],
  );

  const patchBalance = useCallback((patch: Partial<Balance>) => setSession((s) => (s ? { ...s, balance: { ...s.balance, ...patch } } : s)), []);

  const onPosted = useCallback(
    (posted: TransferPosted) => {
      patchBalance({ balanceFen: posted.balanceFen, transitionalFen: posted.transitionalFen });
      const toCard = posted.purse === 'transitional';
      setLoadable(toCard && present?.kind === 'cpu');
      finish({
        status: 'ok',
        title: '转账成功',
        lines: [
          `转入 ${yuan(posted.amountFen)}`,
          toCard ? `待写入卡片 ${yuan(posted.transitionalFen)}，请点"写入卡片"` : `余额 ${yuan(posted.balanceFen)}`,
          `凭证号 ${posted.receiptNo}`,
        ],
      });
    },
    [finish, patchBalance, present?.kind],
  );

  /** 写入卡片: reserve the transitional balance, write the chip, confirm with what the card now reports. */
  const loadToCard = useCallback(async () => {
    const card = present;
    if (!card || !session) return;
    setLoading(true);
    try {
      const reserved = await client.call(reserveCardLoad, { body: { chipUid: card.chipUid, cardTxnCounter: card.counter, chipBalanceFen: card.chipBalanceFen } });
      if (!reserved.load) {
        setLoadable(false);
        return finish({ status: 'ok', title: '没有待写入的金额', lines: [`卡内余额 ${yuan(card.chipBalanceFen)}`] });
      }
      const { load } = reserved;
      if ((await reader.writeChip(card.chipUid, load.expectedChipBalanceAfterFen)) === 'torn') {
        // The card went with the write: the next reservation settles this one by what the card shows.
        setNotice('写卡中断，金额未写入卡片，请重新插卡后写入');
        return;
      }
      const posted = await client.call(confirmCardLoad, {
        params: { loadId: load.loadId },
        body: { cardTxnCounterAfter: load.expectedCardTxnCounterAfter, chipBalanceAfterFen: load.expectedChipBalanceAfterFen },
      });
      patchBalance({ balanceFen: posted.balanceFen, transitionalFen: posted.transitionalFen });
      setLoadable(posted.transitionalFen > 0);
      finish({ status: 'ok', title: '已写入卡片', lines: [`写入 ${yuan(posted.amountFen)}`, `卡内余额 ${yuan(load.expectedChipBalanceAfterFen)}`, `凭证号 ${posted.receiptNo}`] });
    } catch (error) {
      finish(refusedResult('写卡失败', error));
    } finally {
      setLoading(false);
    }
  }, [client, finish, patchBalance, present, reader, session]);

  const toMenu = useCallback(() => {
    setResult(undefined);
    setStep(session ? 'menu' : 'insert');
  }, [session]);

  const cancelFlow = toMenu;
  const card = present;

  const body = (() => {
    switch (step) {
      case 'insert':
        return (
          <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 16, textAlign: 'center' }}>
            <div style={{ fontSize: 'clamp(44px, 11vh, 80px)', fontWeight: 800, color: '#1f3b63' }}>请插卡</div>
            {notice && (
              <Typography.Text type="danger" data-testid="kiosk-notice" style={{ fontSize: 22 }}>
                {notice}
              </Typography.Text>
            )}
            <Typography.Text type="secondary" style={{ fontSize: 18 }}>
              卡片不在身边？
            </Typography.Text>
            <div style={{ display: 'flex', gap: 16 }}>
              <Button size="large" style={MENU_BUTTON} data-testid="kiosk-menu-loss" onClick={() => setStep('loss')}>
                挂失
              </Button>
              <Button size="large" style={MENU_BUTTON} data-testid="kiosk-menu-replace" onClick={() => setStep('replace')}>
                补卡
              </Button>
              <Button size="large" style={MENU_BUTTON} data-testid="kiosk-menu-found-card" onClick={() => setStep('found-card')}>
                拾到校园卡
              </Button>
            </div>
          </div>
        );
      case 'password':
        return <Keypad confirm title="请输入查询密码" masked minLength={6} length={6} message={checking ? '正在查询…' : passwordMessage} disabled={checking} onSubmit={(p) => void checkPassword(p)} onCancel={() => reader.remove()} />;
      case 'menu':
        return session && <Menu session={session} onPick={setStep} onEject={() => reader.remove()} loadable={session.balance.transitionalFen > 0 && card?.kind === 'cpu'} onLoad={() => void loadToCard()} loading={loading} />;
      case 'transfer':
        return (
          session && (
            <TransferFlow client={client} chipUid={session.chipUid} queryPassword={session.queryPassword} bankCardMasked={session.balance.bankCardMasked} onPosted={onPosted} onCancel={cancelFlow} />
          )
        );
      case 'loss':
        return (
          <LossFlow
            client={client}
            knownAccountNo={session?.balance.accountNo}
            onCancel={cancelFlow}
            onDone={(r) => {
              if (r.status === 'ok') patchBalance({ status: 'lost' });
              finish(r);
            }}
          />
        );
      case 'unfreeze':
        return (
          session && (
            <UnfreezeFlow
              client={client}
              chipUid={session.chipUid}
              onCancel={cancelFlow}
              onDone={(r) => {
                if (r.status === 'ok') patchBalance({ status: 'active' });
                finish(r);
              }}
            />
          )
        );
      case 'password-change':
        return (
          session && (
            <PasswordChangeFlow
              client={client}
              chipUid={session.chipUid}
              onCancel={cancelFlow}
              onDone={finish}
              onChanged={(kind, password) => {
                if (kind === 'query') setSession((s) => (s ? { ...s, queryPassword: password } : s));
              }}
            />
          )
        );
      case 'daily-limit':
        return session && <DailyLimitFlow client={client} chipUid={session.chipUid} currentFen={session.balance.dailyLimitFen} onCancel={cancelFlow} onDone={finish} onChanged={(fen) => patchBalance({ dailyLimitFen: fen })} />;
      case 'replace':
        return (
          <ReplaceFlow
            client={client}
            knownAccountNo={session?.balance.accountNo}
            onCancel={cancelFlow}
            onDone={finish}
            // The card in the slot is void now: nothing more can be done with it.
            onReplaced={() => setSession(undefined)}
          />
        );
      case 'found-card':
        return <FoundCardFlow client={client} place={client.identity.place} onCancel={cancelFlow} onDone={finish} />;
      case 'done':
        return (
          <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 12, width: '100%', maxWidth: 620 }}>
            {result && <ResultPanel result={result} />}
            <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', justifyContent: 'center' }}>
              {loadable && session && card && (
                <Button type="primary" size="large" style={MENU_BUTTON} data-testid="kiosk-load" loading={loading} onClick={() => void loadToCard()}>
                  写入卡片
                </Button>
              )}
              <Button size="large" style={MENU_BUTTON} data-testid="kiosk-back" onClick={toMenu}>
                {session ? '返回菜单' : '完成'}
              </Button>
              {card && (
                <Button size="large" style={MENU_BUTTON} data-testid="kiosk-eject" onClick={() => reader.remove()}>
                  退卡
                </Button>
              )}
            </div>
          </div>
        );
    }
  })();

  return (
    <div style={{ display: 'flex', gap: 12, height: '100%', minHeight: 0 }}>
      <div
        data-testid="kiosk-step"
        data-step={step}
        // safe: a screen taller than the space scrolls from its top instead of losing it above
        style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', alignItems: 'center', justifyContent: 'safe center', overflow: 'auto', padding: 4 }}
      >
        {body}
      </div>
      <div style={{ width: 240, flexShrink: 0, overflow: 'auto' }}>
        <CardRack />
      </div>
    </div>
  );
}

const MENU_BUTTON = { height: 64, fontSize: 22, minWidth: 140 } as const;

function Menu({ session, onPick, onEject, loadable, onLoad, loading }: { session: CardSession; onPick(step: KioskStep): void; onEject(): void; loadable: boolean; onLoad(): void; loading: boolean }) {
  const { balance } = session;
  const items: { step: KioskStep; label: string; show: boolean }[] = [
    { step: 'transfer', label: '圈存转账', show: balance.status === 'active' },
    { step: 'loss', label: '挂失', show: balance.status === 'active' },
    { step: 'unfreeze', label: '解挂', show: balance.status === 'lost' },
    { step: 'password-change', label: '修改密码', show: true },
    { step: 'daily-limit', label: '每日限额', show: true },
    { step: 'replace', label: '补卡', show: true },
  ];
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 10, width: '100%', maxWidth: 640 }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', flexWrap: 'wrap', gap: 8 }}>
        <span style={{ fontSize: 22 }}>
          {balance.holderDisplayName} · 账号 {balance.accountNo}
        </span>
        <span style={{ fontSize: 18, color: balance.status === 'active' ? '#389e0d' : '#cf1322' }} data-testid="kiosk-status" data-status={balance.status}>
          {STATUS_ZH[balance.status]}
        </span>
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 8 }}>
        <Figure label="余额" value={yuan(balance.balanceFen)} testId="kiosk-balance" big />
        <Figure label="过渡余额（待写卡）" value={yuan(balance.transitionalFen)} testId="kiosk-transitional" big />
        <Figure label="每日限额" value={yuan(balance.dailyLimitFen)} testId="kiosk-daily-limit" />
        <Figure label="绑定银行卡" value={balance.bankCardMasked ?? '未绑定'} testId="kiosk-bank-card" />
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', gap: 8 }}>
        {items
          .filter((item) => item.show)
          .map((item) => (
            <Button key={item.step} size="large" type="primary" ghost style={{ ...MENU_BUTTON, minWidth: 0 }} data-testid={`kiosk-menu-${item.step}`} onClick={() => onPick(item.step)}>
              {item.label}
            </Button>
          ))}
        {loadable && (
          <Button size="large" type="primary" style={{ ...MENU_BUTTON, minWidth: 0 }} data-testid="kiosk-load" loading={loading} onClick={onLoad}>
            写入卡片
          </Button>
        )}
        <Button size="large" style={{ ...MENU_BUTTON, minWidth: 0 }} data-testid="kiosk-eject" onClick={onEject}>
          退卡
        </Button>
      </div>
    </div>
  );
}

function Figure({ label, value, testId, big = false }: { label: string; value: string; testId: string; big?: boolean }) {
  return (
    <div style={{ background: '#f0f5ff', borderRadius: 10, padding: '6px 12px' }}>
      <div style={{ fontSize: 16, color: '#555' }}>{label}</div>
      <div data-testid={testId} style={{ fontSize: big ? 34 : 22, fontWeight: 700, lineHeight: 1.2 }}>
        {value}
      </div>
    </div>
  );
}
