/**
 * Top-up: pick or type an amount, pay on this platform's own sheet (H5 demo: the local cashier),
 * then wait for the server to confirm the credit. Failure and retry states say what happened to the money.
 */
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useRef, useState } from 'react';
import { formatYuan } from '@shared/money';
import { ErrorNote, Loading, SuccessNote } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { GuardianShare } from '../guardian/share';
import { AutoReloadRow } from '../auto-reload/row';
import { SubscribePrompt } from '../../components/SubscribePrompt';
import type { TopupCreated } from '../../lib/api';
import { parseTopupAmount, TOPUP_CHIPS_FEN } from '../../lib/forms';
import { t, yuan } from '../../lib/i18n';
import { payWithPlatform, TARGET, topupChannel, type PaymentOutcome } from '../../lib/platform';
import { runTopup, type TopupPhase } from '../../lib/topup-flow';
import { api, getState, refreshAccount, useAppState } from '../../lib/store';

/** H5 (local demo) pays as this payer on the fake platform; WeChat and Alipay builds pay as the signed-in user. */
const LOCAL_PAYER = 'h5-local-demo-payer';

export default function Topup() {
  const { lang, account } = useAppState();
  const channel = topupChannel();
  const [chip, setChip] = useState<number | undefined>(5_000);
  const [custom, setCustom] = useState('');
  const [customProblem, setCustomProblem] = useState(false);
  const [phase, setPhase] = useState<TopupPhase>();
  const [cashier, setCashier] = useState<TopupCreated>();
  const cashierAnswer = useRef<(outcome: PaymentOutcome) => void>();

  // The online range as the server's account view says (the server checks the same).
  const policy = account?.policy;
  const amountFen = custom ? (policy ? parseTopupAmount(custom, policy) : undefined) : chip;
  const busy = phase?.kind === 'creating' || phase?.kind === 'paying' || phase?.kind === 'confirming';
  const range = policy ? { min: yuan(policy.onlineTopupMinFen), max: yuan(policy.onlineTopupMaxFen) } : { min: '…', max: '…' };

  const localCashier = (created: TopupCreated) =>
    new Promise<PaymentOutcome>((resolve) => {
      cashierAnswer.current = resolve;
      setCashier(created);
    });

  const start = async () => {
    if (!channel || busy) return;
    if (amountFen === undefined) {
      setCustomProblem(true);
      return;
    }
    setCustomProblem(false);
    const payerId = TARGET === 'h5' ? LOCAL_PAYER : getState().session?.payerId;
    if (!payerId) return setPhase({ kind: 'failed', error: new Error('no payer') });
    const final = await runTopup(
      {
        api,
        pay: TARGET === 'h5' ? localCashier : payWithPlatform,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        onPhase: setPhase,
      },
      amountFen,
      channel,
      payerId,
    );
    setCashier(undefined);
    if (final.kind === 'paid') void refreshAccount().catch(() => undefined);
  };

  const payAtCashier = async () => {
    if (!cashier) return;
    // Whatever the fake platform answered, the poll finds out what it did with the order.
    await api.localCashierPay(cashier.order.channel === 'alipay' ? 'alipay' : 'wechat', cashier.order.orderId).catch(() => undefined);
    cashierAnswer.current?.('paid');
  };

  if (!channel) {
    return (
      <View className="page">
        <View className="card">
          <Text>{t(lang, 'topup.unavailable')}</Text>
        </View>
      </View>
    );
  }

  const toCard = account?.cards.some((card) => card.kind === 'cpu' && card.status === 'active');
  return (
    <View className="page">
      <View className="card">
        <Text className="title">{t(lang, 'topup.amount')}</Text>
        <View className="chips">
          {TOPUP_CHIPS_FEN.map((fen) => (
            <View
              key={fen}
              className={`chip${!custom && chip === fen ? ' chip--on' : ''}`}
              onClick={() => {
                setChip(fen);
                setCustom('');
                setCustomProblem(false);
              }}
            >
              ¥{fen / 100}
            </View>
          ))}
        </View>
        <View style={{ height: '24px' }} />
        <Field
          label={t(lang, 'topup.custom')}
          name="customAmount"
          value={custom}
          onInput={setCustom}
          type="digit"
          maxlength={9}
          placeholder={t(lang, 'topup.range', range)}
          {...(customProblem ? { problem: t(lang, 'topup.invalid', range) } : {})}
        />
        {toCard && <Text className="help">{t(lang, 'topup.toTransitional')}</Text>}
        <Text className="muted" style={{ display: 'block', marginTop: '12px' }}>
          {t(lang, `topup.channel.${channel}`)}
        </Text>
        <Button className="primary" id="topup-pay" disabled={busy} onClick={() => void start()}>
          {t(lang, 'topup.pay', { amount: amountFen !== undefined ? formatYuan(amountFen) : '—' })}
        </Button>
      </View>

      {cashier && phase?.kind === 'paying' && (
        <View className="card cashier" id="local-cashier">
          <Text className="title">{t(lang, 'topup.localCashier')}</Text>
          <Text className="muted" style={{ display: 'block' }}>
            {t(lang, `topup.channel.${cashier.order.channel === 'alipay' ? 'alipay' : 'wechat'}`)} · {cashier.order.orderId}
          </Text>
          <Button className="primary" id="cashier-pay" onClick={() => void payAtCashier()}>
            {t(lang, 'topup.localCashierPay', { amount: formatYuan(cashier.order.amountFen) })}
          </Button>
          <Button className="secondary" onClick={() => cashierAnswer.current?.('cancelled')}>
            {t(lang, 'common.cancel')}
          </Button>
        </View>
      )}

      {phase && <PhaseNote lang={lang} phase={phase} onRetry={() => void start()} />}

      <AutoReloadRow lang={lang} />

      {account && <GuardianShare lang={lang} personId={account.personId} />}
    </View>
  );
}

function PhaseNote(props: { lang: 'zh' | 'en'; phase: TopupPhase; onRetry: () => void }) {
  const { lang, phase } = props;
  switch (phase.kind) {
    case 'creating':
      return <Loading lang={lang} text={t(lang, 'topup.creating')} />;
    case 'paying':
      return <Loading lang={lang} text={t(lang, 'topup.paying')} />;
    case 'confirming':
      return <Loading lang={lang} text={t(lang, 'topup.waiting')} />;
    case 'paid':
      return (
        <View id="topup-result">
          <SuccessNote text={t(lang, phase.order.purse === 'transitional' ? 'topup.paidTransitional' : 'topup.paid', { amount: formatYuan(phase.order.amountFen) })} />
          <SubscribePrompt lang={lang} />
          <Button className="secondary" onClick={() => void Taro.navigateBack()}>
            {t(lang, 'common.done')}
          </Button>
        </View>
      );
    case 'closed':
      return <View className="feedback feedback--error"><Text>{t(lang, 'topup.closed')}</Text></View>;
    case 'refunded':
      return (
        <View id="topup-refunded" className="feedback feedback--error">
          <Text>{t(lang, phase.order.status === 'refunded' ? 'topup.refunded' : 'topup.refunding', { amount: formatYuan(phase.order.refund?.amountFen ?? phase.order.amountFen) })}</Text>
        </View>
      );
    case 'cancelled':
      return <View className="feedback feedback--error"><Text>{t(lang, 'topup.cancelled')}</Text></View>;
    case 'slow':
      return <View className="feedback feedback--loading"><Text>{t(lang, 'topup.slow')}</Text></View>;
    case 'failed':
      return <ErrorNote lang={lang} error={phase.error} onRetry={props.onRetry} />;
  }
}
