/**
 * Top-up: pick or type an amount, pay on this platform's own sheet (H5 demo: the local cashier),
 * then wait for the server to confirm the credit. Failure and retry states say what happened to the money.
 */
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { formatYuan } from '@shared/money';
import { ErrorNote, Loading, SuccessNote } from '../../components/Feedback';
import { AmountPicker } from '../../components/AmountPicker';
import { GuardianShare } from '../guardian/share';
import { AutoReloadRow } from '../auto-reload/row';
import { LocalCashier, useStandIn } from '../../components/StandIn';
import { SubscribePrompt } from '../../components/SubscribePrompt';
import type { TopupCreated } from '../../lib/api';
import { parseTopupAmount } from '../../lib/forms';
import { t, yuan } from '../../lib/i18n';
import { payWithPlatform, TARGET, topupChannel, type PaymentOutcome } from '../../lib/platform';
import { runTopup, type TopupPhase } from '../../lib/topup-flow';
import { api, getState, refreshAccount, useAppState } from '../../lib/store';
import { waitMs } from '../../lib/round-trip';

/** H5 (local demo) pays as this payer on the fake platform; WeChat and Alipay builds pay as the signed-in user. */
const LOCAL_PAYER = 'h5-local-demo-payer';

export default function Topup() {
  const { lang, account } = useAppState();
  const channel = topupChannel();
  const [chip, setChip] = useState<number | undefined>(5_000);
  const [custom, setCustom] = useState('');
  const [customProblem, setCustomProblem] = useState(false);
  const [phase, setPhase] = useState<TopupPhase>();
  const cashier = useStandIn<TopupCreated, PaymentOutcome>();

  // The online range as the server's account view says (the server checks the same).
  const policy = account?.policy;
  const amountFen = custom ? (policy ? parseTopupAmount(custom, policy) : undefined) : chip;
  const busy = phase?.kind === 'creating' || phase?.kind === 'paying' || phase?.kind === 'confirming';
  const range = policy ? { min: yuan(policy.onlineTopupMinFen), max: yuan(policy.onlineTopupMaxFen) } : { min: '…', max: '…' };

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
        pay: TARGET === 'h5' ? cashier.open : payWithPlatform,
        sleep: waitMs,
        onPhase: setPhase,
      },
      amountFen,
      channel,
      payerId,
    );
    cashier.hide();
    if (final.kind === 'paid') void refreshAccount().catch(() => undefined);
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
        <AmountPicker
          lang={lang}
          name="customAmount"
          chip={chip}
          custom={custom}
          onChip={(fen) => {
            setChip(fen);
            setCustom('');
            setCustomProblem(false);
          }}
          onCustom={setCustom}
          range={range}
          invalid={customProblem}
        />
        {toCard && <Text className="help">{t(lang, 'topup.toTransitional')}</Text>}
        <Text className="muted" style={{ display: 'block', marginTop: '12px' }}>
          {t(lang, `topup.channel.${channel}`)}
        </Text>
        <Button className="primary" id="topup-pay" disabled={busy} onClick={() => void start()}>
          {t(lang, 'topup.pay', { amount: amountFen !== undefined ? formatYuan(amountFen) : '—' })}
        </Button>
      </View>

      {cashier.shown && phase?.kind === 'paying' && (
        <LocalCashier lang={lang} order={{ ...cashier.shown.order, channel: cashier.shown.order.channel === 'alipay' ? 'alipay' : 'wechat' }} answer={cashier.answer} />
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
