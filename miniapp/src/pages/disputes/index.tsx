/** My disputes: each disputed payment, where it stands and the card centre's answer; tap for its receipt. */
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { formatYuan } from '@shared/money';
import { ErrorNote, Loading } from '../../components/Feedback';
import { useTask } from '../../components/useTask';
import { REASON_WORDS, STATUS_WORDS } from '../../lib/disputes';
import { beijingTime } from '../../lib/history';
import { t } from '../../lib/i18n';
import { api, useAppState } from '../../lib/store';

export default function Disputes() {
  const { lang } = useAppState();
  const list = useTask(() => api.disputes());
  // Read again on every return: a decision may have come while the holder was on a receipt.
  useDidShow(() => void list.run());

  if (list.state.kind === 'failed') return <View className="page"><ErrorNote lang={lang} error={list.state.error} onRetry={() => void list.run()} /></View>;
  if (list.state.kind !== 'done') return <View className="page"><Loading lang={lang} /></View>;
  const { disputes } = list.state.value;
  return (
    <View className="page">
      <View className="card" id="disputes">
        <Text className="title">{t(lang, 'dispute.list')}</Text>
        {disputes.length === 0 && <Text className="muted">{t(lang, 'dispute.listEmpty')}</Text>}
        {disputes.map((dispute) => (
          <View
            key={dispute.receiptNo}
            id={`dispute-${dispute.receiptNo}`}
            data-status={dispute.status}
            className="entry"
            onClick={() => void Taro.navigateTo({ url: `/pages/receipt/index?receiptNo=${dispute.receiptNo}` })}
          >
            <View className="row">
              <Text className="entry__title">{dispute.merchantName ?? t(lang, REASON_WORDS[dispute.reason])}</Text>
              <Text className="amount--small">¥{formatYuan(dispute.amountFen)}</Text>
            </View>
            <View className="row">
              <Text className="muted">
                {t(lang, REASON_WORDS[dispute.reason])} · {beijingTime(dispute.createdAt).full}
              </Text>
              <Text className={dispute.status === 'refunded' ? 'plus' : 'muted'}>{t(lang, STATUS_WORDS[dispute.status])}</Text>
            </View>
            {dispute.resolution && <Text className="muted" style={{ display: 'block' }}>{dispute.resolution}</Text>}
          </View>
        ))}
      </View>
    </View>
  );
}
