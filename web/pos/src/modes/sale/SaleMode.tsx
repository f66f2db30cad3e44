/**
 * Sale mode (canteen, shop): the cashier keys the amount (on-screen numpad or keyboard), arms the
 * reader with Enter or 收款, and the holder shows a code (campus code, WeChat or Alipay payment code:
 * the client decides) or taps a card. Above the daily limit the terminal shows P---- and the holder
 * types the consumption password; the same posTxnId is sent again with it. A card tapped with
 * nothing keyed is an idle tap: the transitional balance is loaded onto the chip. Offline (no
 * answer, or the drill), codes and cards are taken from the bundle and queued.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Input, Typography } from 'antd';
import { confirmCardLoad, reserveCardLoad } from '@shared/api/pos';
import { QR_TOKEN_PREFIX } from '@shared/qr-token';
import { newRequestId, TerminalRefusal, TerminalUnreachable, type SaleOutcome } from '@shared/terminal-client';
import { CardRack, useCardReader, type SimulatedCard } from '../../cards/card-reader';
import { CodeReader } from '../../components/CodeReader';
import { Keypad } from '../../components/Keypad';
import { Outcome, type OutcomeView } from '../../components/Outcome';
import { beep, startAlarm, stopAlarm } from '../../feedback';
import { CHANNELS, fenOf, keyAmount, maskName, yuan } from '../../format';
import { useTerminal } from '../../terminal-context';

type Phase = 'entry' | 'armed' | 'working' | 'password' | 'waiting-payer';
type Source = { method: 'code'; code: string } | { method: 'card'; chipUid: string };
interface Shown extends OutcomeView {
  testIds?: Record<number, string>;
}

const TORN = '写卡未完成，请重新刷卡';

function refusedView(title: string, reason: string, more: string[] = []): Shown {
  return { status: 'refused', title, lines: [reason, ...more] };
}

export function SaleMode() {
  const { client, online, reportUnreachable, refreshQueued } = useTerminal();
  const reader = useCardReader();
  const [keyed, setKeyed] = useState('');
  const [phase, setPhase] = useState<Phase>('entry');
  const [shown, setShown] = useState<Shown | undefined>();
  const [pending, setPending] = useState<{ posTxnId: string; amountFen: number; source: Source } | undefined>();
  const [passwordMessage, setPasswordMessage] = useState<string | undefined>();
  const [hint, setHint] = useState<string | undefined>();
  const inputRef = useRef<{ focus(): void; blur(): void } | null>(null);
  const workingTxn = useRef<string | undefined>(undefined);
  /** After a refusal the amount stays (Enter charges it again, another way); the next digit starts a new one. */
  const freshNext = useRef(false);
  const cardsRef = useRef(reader.cards);
  cardsRef.current = reader.cards;
  const amountFen = fenOf(keyed) ?? 0;

  useEffect(() => {
    if (phase === 'entry') inputRef.current?.focus();
    else inputRef.current?.blur();
  }, [phase]);

  const refuse = useCallback((view: Shown) => {
    startAlarm();
    freshNext.current = true;
    setShown(view);
  }, []);

  const succeed = useCallback((view: Shown) => {
    stopAlarm();
    beep();
    setShown(view);
    setKeyed('');
  }, []);

  const cardOf = (chipUid: string): SimulatedCard | undefined => cardsRef.current.find((c) => c.chipUid === chipUid);

  /** What the server answered for a sale, shown (and the chip written for a card). */
  const settle = useCallback(
    async (outcome: SaleOutcome, amount: number, source: Source) => {
      if (outcome.status === 'posted') {
        const lines: string[] = [];
        const testIds: Record<number, string> = {};
        if (outcome.balanceFen !== undefined) {
          testIds[lines.length] = 'outcome-balance';
          lines.push(`余额 ${yuan(outcome.balanceFen)}`);
        } else lines.push(CHANNELS[outcome.channel] ?? outcome.channel);
        if (outcome.holderDisplayName) lines.push(outcome.holderDisplayName);
        if (source.method === 'card' && outcome.chipBalanceToWriteFen !== undefined) {
          // The money is taken either way; a torn write leaves the chip behind until the next tap.
          const written = await reader.writeChip(source.chipUid, outcome.chipBalanceToWriteFen);
          if (written === 'torn') lines.push(TORN);
        }
        succeed({ status: 'ok', title: `收款成功 ${yuan(outcome.amountFen)}`, lines, testIds });
        setPhase('entry');
        return;
      }
      if (outcome.status === 'unreachable') {
        reportUnreachable();
        refuse(refusedView('网络中断', '交易结果未知，联网后自动查询，请勿重复收款'));
        setPhase('entry');
        return;
      }
      const { refusal } = outcome;
      if (refusal.code === 'PASSWORD_REQUIRED') {
        stopAlarm();
        setPending({ posTxnId: outcome.posTxnId, amountFen: amount, source });
        setPasswordMessage(undefined);
        setShown(undefined);
        setPhase('password');
        return;
      }
      if (refusal.code === 'PASSWORD_WRONG' || refusal.code === 'PASSWORD_INVALID') {
        // Typed wrong: the holder may try again (the server locks after too many).
        startAlarm();
        setPasswordMessage(refusal.zh);
        setPhase('password');
        return;
      }
      setPending(undefined);
      refuse(refusedView('收款失败', refusal.zh));
      setPhase('entry');
    },
    [reader, succeed, refuse, reportUnreachable],
  );

  /** Offline: campus codes from the bundle; cards by their chip (written first, queued only when written). */
  const takeOffline = useCallback(
    async (source: Source, amount: number) => {
      if (source.method === 'code') {
        if (!source.code.startsWith(QR_TOKEN_PREFIX)) return refuse(refusedView('收款失败', '离线时只能收校园码或校园卡'));
        const taken = await client.takeOffline({ amountFen: amount, method: 'qr', token: source.code });
        if (taken.status === 'refused') return refuse(refusedView('脱机收款失败', taken.refusal.zh));
        refreshQueued();
        const lines = ['已保存脱机记录，联网后上传'];
        if (taken.remainingCapFen !== undefined) lines.push(`今日还可脱机消费 ${yuan(taken.remainingCapFen)}`);
        return succeed({ status: 'ok', title: `脱机收款 ${yuan(amount)}`, lines });
      }
      const card = cardOf(source.chipUid);
      if (!card) return refuse(refusedView('收款失败', '读卡失败，请重新刷卡'));
      // Asked before the chip is written: a card the bundle refuses (blacklisted, too little on the chip) is never touched.
      const checked = await client.checkCardOffline({ chipUid: card.chipUid, amountFen: amount, chipBalanceFen: card.chipBalanceFen });
      if (!checked.ok) return refuse(refusedView('脱机收款失败', checked.refusal.zh));
      const before = card.chipBalanceFen;
      const after = before - amount;
      if ((await reader.writeChip(card.chipUid, after)) === 'torn') return refuse(refusedView('脱机收款失败', TORN, ['未扣款']));
      const taken = await client.takeOffline({ amountFen: amount, method: 'card', chipUid: card.chipUid, chipBalanceAfterFen: after });
      if (taken.status === 'refused') {
        // Only if the bundle changed between the check and the take (a refresh just then): give the chip its balance back while the card is still here.
        await reader.writeChip(card.chipUid, before);
        return refuse(refusedView('脱机收款失败', taken.refusal.zh));
      }
      refreshQueued();
      return succeed({ status: 'ok', title: `脱机收款 ${yuan(amount)}`, lines: [`卡内余额 ${yuan(after)}`, maskName(card.holderName)], testIds: { 0: 'outcome-balance' } });
    },
    [client, reader, refuse, succeed, refreshQueued],
  );

  const take = useCallback(
    async (source: Source, amount: number, again?: { posTxnId: string; password: string }) => {
      stopAlarm();
      const posTxnId = again?.posTxnId ?? newRequestId('S');
      workingTxn.current = posTxnId;
      setPhase('working');
      setShown(undefined);
      try {
        if (!online && !again) {
          await takeOffline(source, amount);
          setPhase('entry');
          return;
        }
        const password = again ? { consumptionPassword: again.password } : {};
        // A payment code may wait for the payer's password on the phone: the cashier sees it while the client polls.
        const options = {
          onWaiting: (waiting: string) => {
            if (workingTxn.current === waiting) setPhase('waiting-payer');
          },
        };
        let outcome: SaleOutcome;
        if (source.method === 'code') outcome = await client.sell({ posTxnId, amountFen: amount, method: 'code', code: source.code, ...password }, options);
        else {
          const card = cardOf(source.chipUid);
          const chip = card?.kind === 'cpu' ? { chipBalanceFen: card.chipBalanceFen, cardTxnCounter: card.counter } : {};
          outcome = await client.sell({ posTxnId, amountFen: amount, method: 'card', chipUid: source.chipUid, ...chip, ...password });
        }
        await settle(outcome, amount, source);
      } catch (error) {
        refuse(refusedView('收款失败', error instanceof TerminalRefusal ? error.zh : '终端出错，请重试'));
        setPhase('entry');
      } finally {
        workingTxn.current = undefined;
      }
    },
    [client, online, settle, takeOffline, refuse],
  );

  /** A card with nothing keyed: load what is waiting for it (reserve → write the chip → confirm). */
  const idleTap = useCallback(
    async (card: SimulatedCard) => {
      stopAlarm();
      setShown(undefined);
      if (!online) return refuse(refusedView('不能圈存', '离线时不能圈存，请联网后刷卡'));
      setPhase('working');
      try {
        const reserved = await client.call(reserveCardLoad, { body: { chipUid: card.chipUid, cardTxnCounter: card.counter, chipBalanceFen: card.chipBalanceFen } });
        const earlier = reserved.settledEarlier ? [reserved.settledEarlier.outcome === 'posted' ? '上次圈存已写入卡内' : '上次未完成的圈存已撤销'] : [];
        if (!reserved.load) {
          stopAlarm();
          setShown({ status: 'ok', title: '无待圈存金额', lines: [`卡内余额 ${yuan(card.chipBalanceFen)}`, ...earlier], testIds: { 0: 'outcome-balance' } });
          return;
        }
        const { load } = reserved;
        if ((await reader.writeChip(card.chipUid, load.expectedChipBalanceAfterFen)) === 'torn') return refuse(refusedView('圈存未完成', TORN, earlier));
        const posted = await client.call(confirmCardLoad, {
          params: { loadId: load.loadId },
          body: { cardTxnCounterAfter: load.expectedCardTxnCounterAfter, chipBalanceAfterFen: load.expectedChipBalanceAfterFen },
        });
        succeed({ status: 'ok', title: `圈存成功 ${yuan(posted.amountFen)}`, lines: [`卡内余额 ${yuan(load.expectedChipBalanceAfterFen)}`, ...earlier], testIds: { 0: 'outcome-balance' } });
      } catch (error) {
        if (error instanceof TerminalUnreachable) reportUnreachable();
        refuse(refusedView('圈存失败', error instanceof TerminalRefusal ? error.zh : '网络中断，请稍后重新刷卡'));
      } finally {
        setPhase('entry');
      }
    },
    [client, online, reader, refuse, succeed, reportUnreachable],
  );

  const arm = useCallback(() => {
    stopAlarm();
    if (amountFen <= 0) {
      setHint('请先输入金额');
      return;
    }
    setHint(undefined);
    setShown(undefined);
    freshNext.current = false;
    // At once, not after the render: the scanner's first character must not land in the amount field.
    inputRef.current?.blur();
    setPhase('armed');
  }, [amountFen]);

  const press = (key: string) => {
    stopAlarm();
    if (phase !== 'entry' && phase !== 'armed') return;
    setHint(undefined);
    if (shown && phase === 'entry') setShown(undefined);
    if (phase === 'armed') setPhase('entry');
    const fresh = freshNext.current;
    freshNext.current = false;
    if (key === 'back') setKeyed((k) => k.slice(0, -1));
    else if (key === 'clear') setKeyed('');
    else setKeyed((k) => keyAmount(fresh ? '' : k, key));
  };

  const onCode = useCallback(
    (code: string) => {
      if (phase !== 'armed') return;
      void take({ method: 'code', code }, amountFen);
    },
    [phase, take, amountFen],
  );

  const onTap = (card: SimulatedCard) => {
    if (phase === 'working' || phase === 'waiting-payer' || phase === 'password') return;
    if (amountFen <= 0) void idleTap(card);
    else void take({ method: 'card', chipUid: card.chipUid }, amountFen);
  };

  // Escape leaves the armed reader (and stops an alarm); any key stops the alarm.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      stopAlarm();
      if (e.key === 'Escape' && phase === 'armed') setPhase('entry');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [phase]);

  const submitPassword = useCallback(
    (digits: string) => {
      if (!pending) return;
      void take(pending.source, pending.amountFen, { posTxnId: pending.posTxnId, password: digits });
    },
    [pending, take],
  );
  const cancelPassword = useCallback(() => {
    stopAlarm();
    setPending(undefined);
    setPasswordMessage(undefined);
    setShown(refusedView('已取消', '未输入密码，未扣款'));
    setPhase('entry');
  }, []);

  const numpadKeys = ['7', '8', '9', 'back', '4', '5', '6', 'clear', '1', '2', '3', '0', '00', '.'];
  const keyStyle = { height: 64, fontSize: 28, fontWeight: 600 } as const;

  return (
    <div style={{ display: 'flex', gap: 12, height: '100%', minHeight: 0 }}>
      <section style={{ flex: '0 0 auto', width: 'min(44%, 400px)', display: 'flex', flexDirection: 'column', gap: 8, minHeight: 0 }}>
        <div style={{ display: 'flex', alignItems: 'baseline', justifyContent: 'space-between', gap: 8, background: '#001529', color: '#fff', borderRadius: 10, padding: '4px 14px' }}>
          <span style={{ fontSize: 16, opacity: 0.8 }}>{phase === 'password' ? '待付' : '金额'}</span>
          <span data-testid="amount-display" style={{ fontSize: 44, fontWeight: 700, fontVariantNumeric: 'tabular-nums', lineHeight: 1.2 }}>
            {yuan(phase === 'password' && pending ? pending.amountFen : amountFen)}
          </span>
        </div>
        {phase === 'password' ? (
          <Keypad title="请持卡人输入消费密码" showTitle={false} length={6} masked onSubmit={submitPassword} onCancel={cancelPassword} {...(passwordMessage ? { message: passwordMessage } : {})} />
        ) : (
          <>
            <Input
              ref={(el) => {
                inputRef.current = el;
              }}
              data-testid="amount-input"
              size="large"
              inputMode="none"
              autoComplete="off"
              placeholder="输入金额（元）"
              value={keyed}
              disabled={phase === 'working' || phase === 'waiting-payer'}
              onChange={(e) => {
                stopAlarm();
                let next = e.target.value.trim();
                if (freshNext.current && next.startsWith(keyed) && next.length > keyed.length) next = next.slice(keyed.length);
                freshNext.current = false;
                if (fenOf(next) !== undefined) {
                  if (shown) setShown(undefined);
                  setHint(undefined);
                  setKeyed(next.replace(/^0+(?=\d)/, ''));
                  if (phase === 'armed') setPhase('entry');
                }
              }}
              onPressEnter={arm}
              style={{ fontSize: 22 }}
            />
            <div style={{ display: 'grid', gridTemplateColumns: 'repeat(4, 1fr)', gap: 6 }}>
              {numpadKeys.map((key) => (
                <Button key={key} size="large" style={keyStyle} data-testid={`numpad-${key}`} onClick={() => press(key)} disabled={phase === 'working' || phase === 'waiting-payer'}>
                  {key === 'back' ? '退格' : key === 'clear' ? '清除' : key}
                </Button>
              ))}
              <Button
                type="primary"
                size="large"
                data-testid="charge"
                style={{ ...keyStyle, gridColumn: '4', gridRow: '3 / span 2', height: 'auto', fontSize: 26 }}
                disabled={phase === 'working' || phase === 'waiting-payer'}
                onClick={phase === 'armed' ? () => setPhase('entry') : arm}
              >
                {phase === 'armed' ? '取消' : '收款'}
              </Button>
            </div>
          </>
        )}
      </section>
      <section style={{ flex: 1, display: 'flex', flexDirection: 'column', gap: 8, minWidth: 0, minHeight: 0 }}>
        <div style={{ flex: 1, display: 'flex', flexDirection: 'column', alignItems: 'center', justifyContent: 'center', gap: 8, minHeight: 0, overflow: 'hidden', border: '1px solid #f0f0f0', borderRadius: 10, padding: 8 }}>
          {phase === 'password' && (
            <>
              <div data-testid="password-prompt" style={{ fontSize: 64, fontWeight: 800, fontFamily: 'monospace', letterSpacing: 6, color: '#d4380d', lineHeight: 1 }}>
                P----
              </div>
              <Typography.Text strong style={{ fontSize: 22 }}>
                超过每日限额，请持卡人输入消费密码
              </Typography.Text>
            </>
          )}
          {phase === 'working' && <Typography.Text style={{ fontSize: 26 }}>正在收款…</Typography.Text>}
          {phase === 'waiting-payer' && (
            <Typography.Text data-testid="waiting-payer" style={{ fontSize: 26, color: '#1677ff' }}>
              等待用户输入密码
            </Typography.Text>
          )}
          <div style={{ display: phase === 'armed' ? 'contents' : 'none' }}>
            <CodeReader active={phase === 'armed'} onCode={onCode} hint={`请出示付款码或刷卡 ${yuan(amountFen)}`} videoHeight={150} />
          </div>
          {phase === 'entry' && !shown && <Typography.Text style={{ fontSize: 22, color: hint ? '#d4380d' : '#999' }}>{hint ?? '输入金额后按 收款（回车）；不输金额刷卡即圈存'}</Typography.Text>}
          {shown && phase === 'entry' && <Outcome outcome={shown} {...(shown.testIds ? { testIds: shown.testIds } : {})} />}
          {!online && phase !== 'password' && <Typography.Text type="warning">离线收款：仅校园码和校园卡</Typography.Text>}
        </div>
        <CardRack onTap={onTap} />
      </section>
    </div>
  );
}
