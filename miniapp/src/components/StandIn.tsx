/**
 * The H5 demo's stand-in for a platform's own page (WeChat Pay's or Alipay's payment sheet, their
 * signing page): the flow waits on `open` until the holder taps the card's confirm or cancel, and
 * the fake platform then tells the server as the real one would. What happened is still only ever
 * what the server reads back.
 */
import { Button, Text, View } from '@tarojs/components';
import { useRef, useState } from 'react';
import { formatYuan } from '@shared/money';
import { t, type Lang } from '../lib/i18n';
import type { PaymentOutcome } from '../lib/platform';
import { api } from '../lib/store';

export interface StandIn<T, O> {
  /** What the card is showing, while the flow waits on it. */
  shown: T | undefined;
  /** For the flow: shows the card and resolves with what the holder did there. */
  open: (item: T) => Promise<O>;
  /** For the card's buttons. */
  answer: (outcome: O) => void;
  /** Once the flow is over. */
  hide: () => void;
}

export function useStandIn<T, O>(): StandIn<T, O> {
  const [shown, setShown] = useState<T>();
  const answered = useRef<(outcome: O) => void>();
  return {
    shown,
    open: (item) =>
      new Promise<O>((resolve) => {
        answered.current = resolve;
        setShown(item);
      }),
    answer: (outcome) => answered.current?.(outcome),
    hide: () => setShown(undefined),
  };
}

export function StandInCard(props: {
  lang: Lang;
  id: string;
  title: string;
  /** The platform and the order or agreement it is about. */
  detail: string;
  help?: string;
  confirmId: string;
  confirm: string;
  onConfirm: () => void;
  cancelId?: string;
  onCancel: () => void;
}) {
  return (
    <View className="card cashier" id={props.id}>
      <Text className="title">{props.title}</Text>
      <Text className="muted" style={{ display: 'block' }}>
        {props.detail}
      </Text>
      {props.help && <Text className="help">{props.help}</Text>}
      <Button className="primary" id={props.confirmId} onClick={props.onConfirm}>
        {props.confirm}
      </Button>
      <Button className="secondary" {...(props.cancelId ? { id: props.cancelId } : {})} onClick={props.onCancel}>
        {t(props.lang, 'common.cancel')}
      </Button>
    </View>
  );
}

/**
 * The fake platform's cashier for a top-up or a guardian deposit: paying asks the fake to take the
 * order (it then notifies the server), and the flow goes on to ask the server what became of it.
 */
export function LocalCashier(props: { lang: Lang; order: { channel: 'wechat' | 'alipay'; orderId: string; amountFen: number }; answer: (outcome: PaymentOutcome) => void }) {
  const { lang, order } = props;
  const pay = async () => {
    // Whatever the fake platform answered, the poll finds out what it did with the order.
    await api.localCashierPay(order.channel, order.orderId).catch(() => undefined);
    props.answer('paid');
  };
  return (
    <StandInCard
      lang={lang}
      id="local-cashier"
      title={t(lang, 'topup.localCashier')}
      detail={`${t(lang, `topup.channel.${order.channel}`)} · ${order.orderId}`}
      confirmId="cashier-pay"
      confirm={t(lang, 'topup.localCashierPay', { amount: formatYuan(order.amountFen) })}
      onConfirm={() => void pay()}
      onCancel={() => props.answer('cancelled')}
    />
  );
}
