/**
 * On the card page (issue 18 lost and found): where my lost card was tapped since (each refused), and
 * where a found card of mine waits, read from GET /v1/holder/lost-card-taps. The finder is only ever
 * "a kiosk at X" or "another student".
 *
 * ids: lost-taps, lost-tap-<n>, found-notice-<n> (data-status open|collected)
 */
import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useEffect } from 'react';
import { useTask } from '../../components/useTask';
import { beijingTime } from '../../lib/history';
import { t, type Lang } from '../../lib/i18n';
import { api } from '../../lib/store';

export function LostCardTaps({ lang, lost }: { lang: Lang; lost: boolean }) {
  const read = useTask(() => api.lostCardTaps());
  // Read again on every return to the page (a tap or a find may have come meanwhile) and when the card is reported lost or unfrozen here.
  useDidShow(() => void read.run());
  useEffect(() => {
    void read.run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lost]);
  if (read.state.kind !== 'done') return null;
  const { taps, found } = read.state.value;
  if (!lost && taps.length === 0 && found.length === 0) return null;
  return (
    <View className="card" id="lost-taps">
      {found.map((item, n) => (
        <View key={item.reportedAt} id={`found-notice-${n}`} data-status={item.status} className="entry">
          <Text className="entry__title">{t(lang, 'lostTaps.found')}</Text>
          <Text className="help">
            {item.status === 'collected' && item.collectedAt
              ? t(lang, 'lostTaps.collected', { time: beijingTime(item.collectedAt).full.slice(0, 16) })
              : t(lang, 'lostTaps.collectAt', { place: item.collectAt, finder: item.finder, time: beijingTime(item.reportedAt).full.slice(0, 16) })}
          </Text>
        </View>
      ))}
      <Text className="title">{t(lang, 'lostTaps.title')}</Text>
      {taps.length === 0 && <Text className="muted">{t(lang, 'lostTaps.empty')}</Text>}
      {taps.map((tap, n) => (
        <View key={tap.at} id={`lost-tap-${n}`} className="entry">
          <Text className="help">{t(lang, 'lostTaps.tap', { time: beijingTime(tap.at).full.slice(0, 16), place: tap.place })}</Text>
        </View>
      ))}
    </View>
  );
}
