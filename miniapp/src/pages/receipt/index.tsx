/** One transaction, with the receipt number a holder quotes to dispute it. */
import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useEffect } from 'react';
import { formatYuan } from '@shared/money';
import { ErrorNote, Loading } from '../../components/Feedback';
import { useTask } from '../../components/useTask';
import { beijingTime, signedAmountText } from '../../lib/history';
import { entryTitle, t, type TextKey } from '../../lib/i18n';
import { api, useAppState } from '../../lib/store';
import { mayDispute } from '../../lib/disputes';
import { DisputeSection } from './dispute';

export default function Receipt() {
  const { lang } = useAppState();
  const receiptNo = useRouter().params.receiptNo ?? '';
  const entry = useTask(() => api.receipt(receiptNo));
  useEffect(() => {
    void entry.run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [receiptNo]);

  if (entry.state.kind === 'failed') return <View className="page"><ErrorNote lang={lang} error={entry.state.error} onRetry={() => void entry.run()} /></View>;
  if (entry.state.kind !== 'done') return <View className="page"><Loading lang={lang} /></View>;
  const e = entry.state.value;
  const rows: [TextKey, string | undefined][] = [
    ['receipt.no', e.receiptNo],
    ['receipt.time', beijingTime(e.createdAt).full],
    ['receipt.merchant', e.merchantName],
    ['receipt.terminal', e.terminalId],
    ['receipt.channel', e.channel],
    ['receipt.balanceAfter', `¥${formatYuan(e.after.balanceFen)}`],
  ];
  return (
    <View className="page">
      <View className="card" style={{ textAlign: 'center' }}>
        <Text className="muted" id="receipt-title">{entryTitle(lang, e)}</Text>
        <Text className="amount" style={{ display: 'block' }} id="receipt-amount">
          {signedAmountText(e)}
        </Text>
      </View>
      <View className="card">
        {rows.filter(([, value]) => value).map(([label, value]) => (
          <View key={label} className="kv row">
            <Text className="muted">{t(lang, label)}</Text>
            <Text className="kv__value">{value}</Text>
          </View>
        ))}
        {!mayDispute(e) && <Text className="help">{t(lang, 'receipt.dispute')}</Text>}
      </View>
      {/* A payment is disputed here, online; other entries at the card centre, by their receipt number. */}
      {mayDispute(e) && <DisputeSection lang={lang} receiptNo={e.receiptNo} />}
    </View>
  );
}
