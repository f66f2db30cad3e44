/**
 * Water mode (浴室/开水房, docs/water.md): what a shower-room settlement terminal and its controllers do,
 * with the card tapped on the CardRack.
 * - 结算机: a tap settles the chip's small wallet (usage = what we loaded less what the chip holds) and
 *   refills it to 10 yuan (the first tap preloads 10 yuan); the answer is written to the chip only
 *   if it still holds what was read, and a write that did not happen is retried with the same tapId.
 * - 预扣控水器: an older controller: first tap pre-deducts (opens a session), second tap settles the
 *   water used and refunds the rest.
 * - 用水记录: a controller spends the chip's wallet offline and uploads its records later.
 * A CPU card's main purse moves with the water (a preload takes from the balance it carries, a return
 * gives back to it): each tap sends the purse and counter as read and writes the answer's
 * chipBalanceToWriteFen with the card reader's writeChip, as a card charge does.
 *
 * data-testids: tabs `water-tab-settle|session|records`; `water-status` (data-status
 * idle|busy|ok|refused); `water-reason` (the refusal in Chinese); settlement: `water-usage`,
 * `water-refill`, `water-balance`, `water-wallet` (the small wallet after), `water-chip-wallet` (the
 * chip's wallet of the card on the reader), `water-chip-balance` (the main purse written, CPU cards),
 * `water-chip-torn` (a session's main purse not written: the next tap writes it); session: `water-session-open` (data-open true|false),
 * `water-used` (the metered amount), `water-used-add-<fen>`, `water-used-clear`, `water-session-settle`;
 * records: `water-spend-<fen>` (amount per use), `water-queued` (count), `water-upload`,
 * `water-record` rows (data-outcome queued|stored|conflict|unknown_card).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Segmented, Typography } from 'antd';
import { formatYuan } from '@shared/money';
import { openWaterSession, settleChipWalletRoute, settleWaterSession, uploadWaterUsageRoute } from '@shared/api/water';
import { newRequestId, TerminalRefusal, TerminalUnreachable } from '@shared/terminal-client';
import { CardRack, useCardReader, type SimulatedCard } from '../../cards/card-reader';
import { beep, startAlarm } from '../../feedback';
import { useTerminal } from '../../terminal-context';
import { yuan, reasonZh } from '../../format';
import { failureCode, failureText } from '../kiosk/failure';
import {
  chipWalletFen,
  dropPendingSettlement,
  keepPendingSettlement,
  pendingSettlement,
  saveUsageRecords,
  usageRecords,
  writeChipWallet,
  type UsageRecord,
} from './chip-wallet';

type Tab = 'settle' | 'session' | 'records';

interface Line {
  label: string;
  value: string;
  testId?: string;
}

type Status =
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'ok'; title: string; lines: Line[] }
  | { status: 'refused'; title: string; reason: string; code?: string | undefined };

/** The session a pre-deduction controller has open, as this terminal knows it (the server is the judge). */
interface OpenSession {
  chipUid: string;
  holder: string;
  preloadedFen?: number;
}

const SPEND_CHOICES = [50, 100, 200];
/** A session's answer is the money moved either way; its chip write, torn, is made good by the card's next online tap. */
const SESSION_TORN = '卡内余额未写入，下次刷卡时更新';

/** A CPU card's main purse as read (M1 cards carry no balance on the chip). */
function chipRead(card: SimulatedCard): { chipBalanceFen?: number; cardTxnCounter?: number } {
  return card.kind === 'cpu' ? { chipBalanceFen: card.chipBalanceFen, cardTxnCounter: card.counter } : {};
}
const METER_STEPS = [50, 100, 200];

export function WaterMode() {
  const { client, online, reportUnreachable } = useTerminal();
  const reader = useCardReader();
  const [tab, setTab] = useState<Tab>('settle');
  const [status, setStatus] = useState<Status>({ status: 'idle' });
  const [session, setSession] = useState<OpenSession | undefined>();
  const [usedFen, setUsedFen] = useState(0);
  const [spendFen, setSpendFen] = useState(100);
  const [records, setRecords] = useState<UsageRecord[]>(() => usageRecords());
  const [, setWalletVersion] = useState(0);
  const stopAlarm = useRef<(() => void) | undefined>(undefined);
  const busy = status.status === 'busy';

  useEffect(() => () => stopAlarm.current?.(), []);

  const ok = useCallback((title: string, lines: Line[]) => {
    stopAlarm.current?.();
    setStatus({ status: 'ok', title, lines });
    beep();
  }, []);
  const refuse = useCallback((title: string, error: unknown) => {
    stopAlarm.current?.();
    setStatus({ status: 'refused', title, reason: failureText(error), code: failureCode(error) });
    stopAlarm.current = startAlarm();
  }, []);
  const refuseText = useCallback((title: string, reason: string, code?: string) => {
    stopAlarm.current?.();
    setStatus({ status: 'refused', title, reason, code });
    stopAlarm.current = startAlarm();
  }, []);
  const begin = useCallback(() => {
    stopAlarm.current?.();
    setStatus({ status: 'busy' });
  }, []);
  const unreachable = useCallback(
    (error: unknown) => {
      if (error instanceof TerminalUnreachable) reportUnreachable();
    },
    [reportUnreachable],
  );

  /** 结算机: settle the chip wallet and refill it, then write the answer to the chip (compare and write). */
  const settleWallet = useCallback(
    async (card: SimulatedCard) => {
      begin();
      const read = chipWalletFen(card.chipUid);
      const purse = chipRead(card);
      // A settlement whose write never happened: the same tapId while the chip still shows the same reading (main purse too).
      const earlier = pendingSettlement(card.chipUid);
      const tapId = earlier && earlier.chipWalletFen === read && earlier.chipBalanceFen === purse.chipBalanceFen ? earlier.tapId : newRequestId('WS');
      keepPendingSettlement(card.chipUid, { tapId, chipWalletFen: read, ...(purse.chipBalanceFen !== undefined ? { chipBalanceFen: purse.chipBalanceFen } : {}) });
      let answer;
      try {
        answer = await client.call(settleChipWalletRoute, { body: { tapId, chipUid: card.chipUid, chipWalletFen: read, ...purse } });
      } catch (error) {
        // No answer: keep the tap to resend; a refusal is final for this reading.
        if (error instanceof TerminalRefusal && error.code !== 'BUSY_RETRY') dropPendingSettlement(card.chipUid);
        unreachable(error);
        return refuse('结算失败', error);
      }
      // The main purse and the small wallet are one card write: torn, the chip keeps both, and the next tap resends the same tapId.
      const torn = answer.chipBalanceToWriteFen !== undefined ? (await reader.writeChip(card.chipUid, answer.chipBalanceToWriteFen)) === 'torn' : reader.tearNextWrite;
      if (torn) {
        if (reader.tearNextWrite) reader.setTearNextWrite(false);
        reader.remove();
        return refuseText('写卡失败', '卡片已移开，小钱包未写入，请重新刷卡', 'CHIP_WRITE_TORN');
      }
      writeChipWallet(card.chipUid, read, answer.chipWalletToWriteFen);
      dropPendingSettlement(card.chipUid);
      setWalletVersion((v) => v + 1);
      const first = read === 0 && answer.usageFen === 0 && answer.refillFen > 0;
      const lines: Line[] = [
        { label: '持卡人', value: answer.holderDisplayName },
        { label: '本次用水', value: yuan(answer.usageFen), testId: 'water-usage' },
        { label: first ? '预存小钱包' : '补足小钱包', value: yuan(answer.refillFen), testId: 'water-refill' },
        { label: '账户余额', value: yuan(answer.balanceFen), testId: 'water-balance' },
        { label: '小钱包', value: yuan(answer.smallWalletFen), testId: 'water-wallet' },
      ];
      if (answer.chipBalanceToWriteFen !== undefined) lines.push({ label: '卡内余额', value: yuan(answer.chipBalanceToWriteFen), testId: 'water-chip-balance' });
      // The usage is settled anyway; an account that may not spend gets no refill.
      if (answer.refillRefused) lines.push({ label: '未补足', value: reasonZh(answer.refillRefused) ?? answer.refillRefused, testId: 'water-refill-refused' });
      ok(first ? '首次刷卡，已预存' : '结算完成', lines);
    },
    [begin, client, ok, reader, refuse, refuseText, unreachable],
  );

  /** A session's answer written to a CPU card's main purse: the lines to show (torn: the card's next online tap writes it). */
  const writeMainPurse = useCallback(
    async (chipUid: string, fen: number | undefined): Promise<Line[]> => {
      if (fen === undefined) return [];
      if ((await reader.writeChip(chipUid, fen)) === 'torn') return [{ label: '写卡', value: SESSION_TORN, testId: 'water-chip-torn' }];
      return [{ label: '卡内余额', value: yuan(fen), testId: 'water-chip-balance' }];
    },
    [reader],
  );

  /** 预扣控水器, first tap: pre-deduct and start the water. */
  const openSession = useCallback(
    async (card: SimulatedCard) => {
      begin();
      try {
        const answer = await client.call(openWaterSession, { body: { tapId: newRequestId('WO'), chipUid: card.chipUid, ...chipRead(card) } });
        setSession({ chipUid: card.chipUid, holder: answer.holderDisplayName, preloadedFen: answer.preloadedFen });
        setUsedFen(0);
        ok('开始用水', [
          { label: '持卡人', value: answer.holderDisplayName },
          { label: '预扣', value: yuan(answer.preloadedFen), testId: 'water-preloaded' },
          { label: '账户余额', value: yuan(answer.balanceFen), testId: 'water-balance' },
          ...(await writeMainPurse(card.chipUid, answer.chipBalanceToWriteFen)),
        ]);
      } catch (error) {
        unreachable(error);
        // Already open here (e.g. after a reload): settle it with the next tap.
        if (error instanceof TerminalRefusal && error.code === 'SMALL_WALLET_IN_USE') {
          setSession({ chipUid: card.chipUid, holder: card.holderName });
          setUsedFen(0);
        }
        refuse('不能开水', error);
      }
    },
    [begin, client, ok, refuse, unreachable, writeMainPurse],
  );

  /** 预扣控水器, second tap: settle what the meter shows, refund the rest. */
  const settleSession = useCallback(
    async (chipUid: string) => {
      begin();
      // The card as the rack holds it now (the settle button stands for its second tap).
      const card = reader.cards.find((c) => c.chipUid === chipUid);
      try {
        const answer = await client.call(settleWaterSession, { body: { tapId: newRequestId('WC'), chipUid, usedFen, ...(card ? chipRead(card) : {}) } });
        setSession(undefined);
        setUsedFen(0);
        ok('用水结算完成', [
          { label: '持卡人', value: answer.holderDisplayName },
          { label: '本次用水', value: yuan(answer.usedFen), testId: 'water-usage' },
          { label: '退回余额', value: yuan(answer.refundedFen), testId: 'water-refunded' },
          { label: '账户余额', value: yuan(answer.balanceFen), testId: 'water-balance' },
          ...(await writeMainPurse(chipUid, answer.chipBalanceToWriteFen)),
        ]);
      } catch (error) {
        unreachable(error);
        if (error instanceof TerminalRefusal && error.code === 'SMALL_WALLET_NOT_IN_USE') setSession(undefined);
        refuse('结算失败', error);
      }
    },
    [begin, client, ok, reader.cards, refuse, unreachable, usedFen, writeMainPurse],
  );

  /** 用水记录: a controller spends the chip's wallet offline and keeps the record. */
  const spend = useCallback(
    (card: SimulatedCard) => {
      const before = chipWalletFen(card.chipUid);
      if (before < spendFen) return refuseText('不能用水', `小钱包余额不足（${yuan(before)}），请到结算机刷卡`, 'CHIP_WALLET_LOW');
      writeChipWallet(card.chipUid, before, before - spendFen);
      const record: UsageRecord = {
        recordId: newRequestId('WU'),
        chipUid: card.chipUid,
        occurredAt: new Date().toISOString(),
        amountFen: spendFen,
        chipWalletAfterFen: before - spendFen,
        outcome: 'queued',
      };
      const next = [...usageRecords(), record];
      saveUsageRecords(next);
      setRecords(next);
      setWalletVersion((v) => v + 1);
      ok('已用水', [
        { label: '本次', value: yuan(spendFen) },
        { label: '卡内小钱包', value: yuan(before - spendFen), testId: 'water-chip-after' },
      ]);
    },
    [ok, refuseText, spendFen],
  );

  const upload = useCallback(async () => {
    const queued = usageRecords().filter((r) => r.outcome === 'queued').slice(0, 200);
    if (queued.length === 0) return;
    begin();
    try {
      const answer = await client.call(uploadWaterUsageRoute, {
        body: { records: queued.map(({ recordId, chipUid, occurredAt, amountFen, chipWalletAfterFen }) => ({ recordId, chipUid, occurredAt, amountFen, chipWalletAfterFen })) },
      });
      const outcomes = new Map(answer.results.map((r) => [r.recordId, r.outcome]));
      const next = usageRecords().map((r) => ({ ...r, outcome: outcomes.get(r.recordId) ?? r.outcome }));
      saveUsageRecords(next);
      setRecords(next);
      const stored = answer.results.filter((r) => r.outcome === 'stored').length;
      ok('上传完成', [{ label: '已保存', value: `${stored} / ${answer.results.length} 条` }]);
    } catch (error) {
      unreachable(error);
      refuse('上传失败', error);
    }
  }, [begin, client, ok, refuse, unreachable]);

  const onTap = useCallback(
    (card: SimulatedCard) => {
      if (busy) return;
      if (tab === 'settle') return void settleWallet(card);
      if (tab === 'session') {
        if (session && session.chipUid === card.chipUid) return void settleSession(card.chipUid);
        return void openSession(card);
      }
      spend(card);
    },
    [busy, tab, session, settleWallet, settleSession, openSession, spend],
  );

  const queued = records.filter((r) => r.outcome === 'queued').length;
  const present = reader.present;
  const hint =
    tab === 'settle' ? '请刷卡：结算并补足小钱包' : tab === 'session' ? (session ? '用水中，再次刷卡关水结算' : '请刷卡开水（预扣 10 元）') : `请刷卡用水（每次 ${yuan(spendFen)}）`;

  return (
    <div style={{ display: 'flex', gap: 12, height: '100%', minHeight: 0 }}>
      <div style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', gap: 10 }}>
        <Segmented<Tab>
          block
          size="large"
          value={tab}
          onChange={(value) => {
            stopAlarm.current?.();
            setTab(value);
            setStatus({ status: 'idle' });
          }}
          options={[
            { value: 'settle', label: <span data-testid="water-tab-settle">结算机</span> },
            { value: 'session', label: <span data-testid="water-tab-session">预扣控水器</span> },
            { value: 'records', label: <span data-testid="water-tab-records">用水记录{queued > 0 ? `（${queued}）` : ''}</span> },
          ]}
        />
        <div
          data-testid="water-status"
          data-status={status.status}
          style={{
            // On the records tab the list below takes what the result does not need.
            flex: tab === 'records' ? '0 1 auto' : 1,
            minHeight: 0,
            borderRadius: 12,
            padding: 12,
            overflow: 'auto',
            display: 'flex',
            flexDirection: 'column',
            justifyContent: 'safe center',
            alignItems: 'center',
            textAlign: 'center',
            background: status.status === 'ok' ? '#f6ffed' : status.status === 'refused' ? '#fff1f0' : '#f0f5ff',
            border: `3px solid ${status.status === 'ok' ? '#52c41a' : status.status === 'refused' ? '#ff4d4f' : '#adc6ff'}`,
          }}
        >
          {status.status === 'idle' && <div style={{ fontSize: 'clamp(28px, 6vh, 44px)', fontWeight: 700, color: '#1f3b63' }}>{hint}</div>}
          {status.status === 'busy' && <div style={{ fontSize: 36, fontWeight: 700 }}>处理中…</div>}
          {status.status === 'ok' && (
            <>
              <Typography.Title level={2} style={{ margin: 0, color: '#389e0d' }}>
                {status.title}
              </Typography.Title>
              <div style={{ display: 'grid', gridTemplateColumns: 'auto auto', columnGap: 24, rowGap: 2, fontSize: 24, marginTop: 6 }}>
                {status.lines.map((line) => (
                  <div key={line.label} style={{ display: 'contents' }}>
                    <span style={{ textAlign: 'right', color: '#555' }}>{line.label}</span>
                    <span data-testid={line.testId} style={{ textAlign: 'left', fontWeight: 700 }}>
                      {line.value}
                    </span>
                  </div>
                ))}
              </div>
              <div style={{ fontSize: 18, color: '#555', marginTop: 6 }}>{hint}</div>
            </>
          )}
          {status.status === 'refused' && (
            <>
              <Typography.Title level={2} style={{ margin: 0, color: '#cf1322' }}>
                {status.title}
              </Typography.Title>
              <div data-testid="water-reason" data-code={status.code ?? ''} style={{ fontSize: 26, marginTop: 6 }}>
                {status.reason}
              </div>
            </>
          )}
        </div>
        {tab === 'session' && session && (
          <div style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }} data-testid="water-session-open" data-open="true">
            <span style={{ fontSize: 20 }}>
              计量 <b data-testid="water-used" style={{ fontSize: 28 }}>{yuan(usedFen)}</b>
            </span>
            {METER_STEPS.map((step) => (
              <Button
                key={step}
                size="large"
                style={{ height: 56, minWidth: 80 }}
                data-testid={`water-used-add-${step}`}
                onClick={() => setUsedFen((fen) => Math.min(fen + step, session.preloadedFen ?? Number.MAX_SAFE_INTEGER))}
              >
                +{formatYuan(step)}
              </Button>
            ))}
            <Button size="large" style={{ height: 56 }} data-testid="water-used-clear" onClick={() => setUsedFen(0)}>
              清零
            </Button>
            <Button size="large" type="primary" style={{ height: 56 }} data-testid="water-session-settle" disabled={busy} onClick={() => void settleSession(session.chipUid)}>
              关水结算
            </Button>
          </div>
        )}
        {tab === 'records' && (
          <div style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', gap: 6 }}>
            <div style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
              <span style={{ fontSize: 18 }}>每次用水</span>
              {SPEND_CHOICES.map((fen) => (
                <Button key={fen} size="large" style={{ height: 56, minWidth: 80 }} type={spendFen === fen ? 'primary' : 'default'} data-testid={`water-spend-${fen}`} onClick={() => setSpendFen(fen)}>
                  {formatYuan(fen)} 元
                </Button>
              ))}
              <Button size="large" style={{ height: 56 }} data-testid="water-upload" disabled={busy || queued === 0 || !online} onClick={() => void upload()}>
                上传用水记录 <span data-testid="water-queued">{queued}</span> 条
              </Button>
            </div>
            <div style={{ flex: 1, minHeight: 48, overflow: 'auto', fontSize: 16 }}>
              {records
                .slice(-20)
                .reverse()
                .map((r) => (
                  <div key={r.recordId} data-testid="water-record" data-outcome={r.outcome}>
                    {new Date(r.occurredAt).toLocaleTimeString('zh-CN', { hour12: false })} · 卡 {r.chipUid.slice(-4)} · {yuan(r.amountFen)} · {OUTCOME_ZH[r.outcome]}
                  </div>
                ))}
            </div>
          </div>
        )}
      </div>
      <div style={{ width: 260, flexShrink: 0, display: 'flex', flexDirection: 'column', gap: 8, overflow: 'auto' }}>
        <CardRack onTap={onTap} />
        {present && (
          <div style={{ fontSize: 18 }}>
            卡内小钱包 <b data-testid="water-chip-wallet">{yuan(chipWalletFen(present.chipUid))}</b>
          </div>
        )}
      </div>
    </div>
  );
}

const OUTCOME_ZH: Record<UsageRecord['outcome'], string> = { queued: '待上传', stored: '已保存', conflict: '记录冲突', unknown_card: '未知卡片' };

