/** Today at this terminal (GET /v1/pos/day): the day's totals and sales, each refundable here today (whole or in part). */
import { useCallback, useEffect, useState } from 'react';
import { Button, Input, Modal, Typography } from 'antd';
import type { z } from 'zod';
import { posDay } from '@shared/api/kiosk';
import { posRefundRoute } from '@shared/api/merchants';
import { newRequestId, TerminalRefusal } from '@shared/terminal-client';
import { Outcome, type OutcomeView } from '../../components/Outcome';
import { beep, startAlarm, stopAlarm } from '../../feedback';
import { CHANNELS, fenOf, yuan } from '../../format';
import { useTerminal } from '../../terminal-context';

type Day = z.output<(typeof posDay)['response']>;
type Sale = Day['sales'][number];

function timeOf(iso: string): string {
  return new Date(iso).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });
}

export function TodayTab() {
  const { client, online } = useTerminal();
  const [day, setDay] = useState<Day | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [refunding, setRefunding] = useState<{ sale: Sale; keyed: string; refundId: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<OutcomeView | undefined>();
  /** What is wrong with the refund being keyed (shown in the dialog). */
  const [problem, setProblem] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      setDay(await client.call(posDay));
      setError(undefined);
    } catch (e) {
      setError(e instanceof TerminalRefusal ? e.zh : '无法连接服务器，联网后再查看');
    }
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  const refundable = (sale: Sale) => sale.amountFen - sale.refundedFen;

  const confirmRefund = async () => {
    if (!refunding) return;
    const amountFen = fenOf(refunding.keyed);
    if (!amountFen || amountFen <= 0 || amountFen > refundable(refunding.sale)) {
      setProblem(`退款金额有误，可退 ${yuan(refundable(refunding.sale))}`);
      return;
    }
    setBusy(true);
    setProblem(undefined);
    stopAlarm();
    try {
      // The refund id is fixed when the cashier opens the refund: pressing 确认 again never refunds twice.
      const done = await client.call(posRefundRoute, { body: { refundId: refunding.refundId, receiptNo: refunding.sale.receiptNo, amountFen } });
      beep();
      setResult({ status: 'ok', title: `退款成功 ${yuan(done.amountFen)}`, lines: [`余额 ${yuan(done.balanceFen)}`, done.holderDisplayName] });
      setRefunding(undefined);
      void load();
    } catch (e) {
      startAlarm();
      setProblem(`退款失败：${e instanceof TerminalRefusal ? e.zh : '网络中断，请稍后再试（不会重复退款）'}`);
    } finally {
      setBusy(false);
    }
  };

  const totals = day?.totals;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8, height: '100%', minHeight: 0 }}>
      <div data-testid="day-totals" style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 16, fontSize: 18, background: '#fafafa', borderRadius: 10, padding: '8px 12px' }}>
        <strong style={{ fontSize: 20 }}>今日 {day?.campusDay ?? ''}</strong>
        <span>
          笔数 <strong data-testid="day-count">{totals?.count ?? '-'}</strong>
        </span>
        <span>
          收款 <strong data-testid="day-amount">{totals ? yuan(totals.amountFen) : '-'}</strong>
        </span>
        <span>
          退款 <strong data-testid="day-refunded">{totals ? yuan(totals.refundedFen) : '-'}</strong>
        </span>
        <span>
          净额 <strong>{totals ? yuan(totals.amountFen - totals.refundedFen) : '-'}</strong>
        </span>
        {totals && (
          <span style={{ fontSize: 14, color: '#666' }}>
            {(['card', 'qr', 'wechat', 'alipay'] as const)
              .filter((m) => totals.byMethod[m].count > 0)
              .map((m) => `${CHANNELS[m]} ${totals.byMethod[m].count}笔 ${yuan(totals.byMethod[m].amountFen)}`)
              .join('　')}
          </span>
        )}
        <Button size="large" style={{ marginLeft: 'auto' }} onClick={() => void load()} disabled={!online}>
          刷新
        </Button>
      </div>
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
      {result && !refunding && <Outcome outcome={result} />}
      <div style={{ flex: 1, overflowY: 'auto', minHeight: 0 }}>
        {day?.sales.map((sale) => (
          <div key={sale.receiptNo} data-testid={`sale-${sale.receiptNo}`} style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '6px 4px', borderBottom: '1px solid #f0f0f0', fontSize: 17, whiteSpace: 'nowrap' }}>
            <span style={{ width: 80 }}>{timeOf(sale.postedAt)}</span>
            <span style={{ width: 96, fontWeight: 600 }}>{yuan(sale.amountFen)}</span>
            <span style={{ width: 120 }}>
              {CHANNELS[sale.method]}
              {sale.offline ? '·脱机' : ''}
            </span>
            <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>{sale.holderDisplayName ?? ''}</span>
            {sale.refundedFen > 0 && <span style={{ color: '#d4380d' }}>已退 {yuan(sale.refundedFen)}</span>}
            <Button
              size="large"
              data-testid={`refund-${sale.receiptNo}`}
              disabled={refundable(sale) <= 0 || !online}
              onClick={() => {
                stopAlarm();
                setResult(undefined);
                setProblem(undefined);
                setRefunding({ sale, keyed: (refundable(sale) / 100).toFixed(2), refundId: newRequestId('R') });
              }}
            >
              退款
            </Button>
          </div>
        ))}
        {day && day.sales.length === 0 && <Typography.Text type="secondary">今日暂无交易</Typography.Text>}
        {day?.truncated && <Typography.Text type="secondary">仅列出最近的交易</Typography.Text>}
      </div>
      <Modal
        open={!!refunding}
        title="退款"
        onCancel={() => setRefunding(undefined)}
        footer={[
          <Button key="cancel" size="large" onClick={() => setRefunding(undefined)}>
            取消
          </Button>,
          <Button key="ok" size="large" type="primary" data-testid="refund-confirm" loading={busy} onClick={() => void confirmRefund()}>
            确认退款
          </Button>,
        ]}
      >
        {refunding && (
          <div style={{ display: 'flex', flexDirection: 'column', gap: 8, fontSize: 18 }}>
            <span>
              原交易 {yuan(refunding.sale.amountFen)}（{CHANNELS[refunding.sale.method]}），可退 {yuan(refundable(refunding.sale))}
            </span>
            <Input
              size="large"
              data-testid="refund-amount"
              prefix="退款金额 ¥"
              value={refunding.keyed}
              onChange={(e) => {
                const keyed = e.target.value.trim();
                if (fenOf(keyed) !== undefined) setRefunding({ ...refunding, keyed });
              }}
              onPressEnter={() => void confirmRefund()}
            />
            {problem && (
              <Typography.Text type="danger" data-testid="refund-problem" style={{ fontSize: 18 }}>
                {problem}
              </Typography.Text>
            )}
          </div>
        )}
      </Modal>
    </div>
  );
}
