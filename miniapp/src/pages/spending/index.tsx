/** Spending at a glance (消费分析): a month's spending by category, and the last six months side by side. */
import { Text, View } from '@tarojs/components';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { formatYuan } from '@shared/money';
import type { SpendingCategory } from '@shared/vocabulary';
import { ErrorNote, Loading } from '../../components/Feedback';
import type { HolderSpending } from '../../lib/api';
import { t, type TextKey } from '../../lib/i18n';
import { api, useAppState } from '../../lib/store';

const MONTHS = 6;

/** Bars are a share of the largest value shown, so the longest fills its track. */
const share = (value: number, max: number) => `${max > 0 ? Math.round((value / max) * 100) : 0}%`;

export default function Spending() {
  const { lang } = useAppState();
  const [spending, setSpending] = useState<HolderSpending>();
  const [month, setMonth] = useState<string>();
  const [problem, setProblem] = useState<unknown>();

  const load = useCallback(async () => {
    setProblem(undefined);
    try {
      const answer = await api.spending(MONTHS);
      setSpending(answer);
      setMonth((chosen) => chosen ?? answer.months.at(-1)?.month);
    } catch (error) {
      setProblem(error);
    }
  }, []);

  useEffect(() => void load(), [load]);
  usePullDownRefresh(() => void load().finally(() => Taro.stopPullDownRefresh()));

  if (problem !== undefined) return <View className="page"><ErrorNote lang={lang} error={problem} onRetry={() => void load()} /></View>;
  if (!spending) return <View className="page"><Loading lang={lang} /></View>;

  const shown = spending.months.find((m) => m.month === month) ?? spending.months.at(-1)!;
  const largestLine = Math.max(...shown.byCategory.map((line) => line.amountFen));
  const largestMonth = Math.max(...spending.months.map((m) => m.totalFen));
  return (
    <View className="page">
      <View className="card" id="spending-month">
        <Text className="title">{t(lang, 'spending.title', { month: shown.month, total: formatYuan(shown.totalFen) })}</Text>
        <Text className="muted">{t(lang, 'spending.byCategory')}</Text>
        {shown.totalFen === 0 && <Text className="help">{t(lang, 'spending.none')}</Text>}
        {shown.byCategory.map((line) => (
          <View key={line.category} className="bar-row" id={`spending-${line.category}`}>
            <View className="bar-row__label">
              <Text>{categoryName(lang, line.category)}</Text>
              <Text>
                ¥{formatYuan(line.amountFen)} <Text className="muted">{t(lang, 'spending.count', { count: line.count })}</Text>
              </Text>
            </View>
            <View className="bar-track">
              <View className={`bar-fill bar-fill--${line.category}`} style={{ width: share(line.amountFen, largestLine) }} />
            </View>
          </View>
        ))}
      </View>
      <View className="card" id="spending-trend">
        <Text className="muted">{t(lang, 'spending.trend', { count: spending.months.length })}</Text>
        <View className="trend">
          {spending.months.map((m) => (
            <View key={m.month} className={`trend__col${m.month === shown.month ? ' trend__col--on' : ''}`} id={`trend-${m.month}`} onClick={() => setMonth(m.month)}>
              <Text className="trend__amount">{formatYuan(m.totalFen)}</Text>
              <View className="trend__bar" style={{ height: share(m.totalFen, largestMonth) }} />
              <Text className="trend__month">{Number(m.month.slice(5))}{lang === 'zh' ? '月' : `/${m.month.slice(2, 4)}`}</Text>
            </View>
          ))}
        </View>
      </View>
    </View>
  );
}

function categoryName(lang: Parameters<typeof t>[0], category: SpendingCategory): string {
  return t(lang, `spending.category.${category}` as TextKey);
}
