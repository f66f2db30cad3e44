/** History: a month at a time, filtered by type, with the month's totals; more rows as the list scrolls. */
import { Button, ScrollView, Text, View } from '@tarojs/components';
import Taro, { usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { formatYuan } from '@shared/money';
import { ErrorNote, Loading } from '../../components/Feedback';
import type { LedgerEntry, MonthlyStatement } from '../../lib/api';
import { campusDay } from '@shared/campus-day';
import { beijingTime, HISTORY_FILTERS, monthRange, netChangeFen, recentMonths, signedAmountText, type HistoryFilterName } from '../../lib/history';
import { entryTitle, movementName, t } from '../../lib/i18n';
import { api, getState, useAppState } from '../../lib/store';

const PAGE_SIZE = 20;

export default function History() {
  const { lang } = useAppState();
  const clockOffset = getState().clock?.offsetMs ?? 0;
  const months = recentMonths(campusDay(new Date(Date.now() + clockOffset)), 12);
  const [month, setMonth] = useState(months[0]!);
  const [filter, setFilter] = useState<HistoryFilterName>('all');
  const [entries, setEntries] = useState<LedgerEntry[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<unknown>();
  const [statement, setStatement] = useState<MonthlyStatement>();
  // Answers for an older month or filter must not land in the current list.
  const generation = useRef(0);

  const loadPage = useCallback(
    async (reset: boolean) => {
      const mine = reset ? ++generation.current : generation.current;
      setLoading(true);
      setProblem(undefined);
      try {
        const types = HISTORY_FILTERS.find((f) => f.name === filter)?.types;
        const page = await api.history({ ...monthRange(month), ...(types ? { types } : {}), ...(!reset && cursor ? { cursor } : {}), limit: PAGE_SIZE });
        if (mine !== generation.current) return;
        setEntries((old) => (reset ? page.entries : [...old, ...page.entries]));
        setCursor(page.nextCursor);
        setDone(!page.nextCursor);
      } catch (error) {
        if (mine === generation.current) setProblem(error);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [month, filter, cursor],
  );

  const loadStatement = useCallback(async () => {
    setStatement(undefined);
    try {
      setStatement(await api.statement(month));
    } catch {
      // The totals are a nicety; the list shows its own error.
    }
  }, [month]);

  useEffect(() => {
    setEntries([]);
    setCursor(undefined);
    setDone(false);
    void loadPage(true);
    void loadStatement();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [month, filter]);

  useReachBottom(() => {
    if (!loading && !done) void loadPage(false);
  });
  usePullDownRefresh(() => {
    void Promise.all([loadPage(true), loadStatement()]).finally(() => Taro.stopPullDownRefresh());
  });

  return (
    <View className="page">
      <ScrollView scrollX className="scroll-chips">
        {months.map((m) => (
          <View key={m} className={`chip${m === month ? ' chip--on' : ''}`} onClick={() => setMonth(m)}>
            {m}
          </View>
        ))}
      </ScrollView>
      <View className="chips" style={{ marginBottom: '16px' }}>
        {HISTORY_FILTERS.map((f) => (
          <View key={f.name} className={`chip${f.name === filter ? ' chip--on' : ''}`} onClick={() => setFilter(f.name)}>
            {t(lang, f.label)}
          </View>
        ))}
      </View>
      <View className="card" id="month-totals">
        <View className="row">
          <Text>{t(lang, 'history.monthSpent', { spent: statement ? formatYuan(statement.spendingFen) : '…' })}</Text>
          <Text>{t(lang, 'history.monthTopup', { topup: statement ? formatYuan(statement.topupFen) : '…' })}</Text>
        </View>
        <Button className="link-button" size="mini" id="history-spending" onClick={() => void Taro.navigateTo({ url: '/pages/spending/index' })}>
          {t(lang, 'spending.open')}
        </Button>
        <Button className="link-button" size="mini" id="history-disputes" onClick={() => void Taro.navigateTo({ url: '/pages/disputes/index' })}>
          {t(lang, 'dispute.list')}
        </Button>
      </View>
      <View className="card" id="history-list">
        {entries.map((entry) => {
          const when = beijingTime(entry.createdAt);
          return (
            <View key={entry.receiptNo} className="entry row" onClick={() => void Taro.navigateTo({ url: `/pages/receipt/index?receiptNo=${entry.receiptNo}` })}>
              <View>
                <Text className="entry__title">{entry.merchantName ?? entryTitle(lang, entry)}</Text>
                <Text className="muted">
                  {when.date} {when.time} · {movementName(lang, entry.type)}
                </Text>
              </View>
              <Text className={`amount--small ${netChangeFen(entry) > 0 ? 'plus' : 'minus'}`}>{signedAmountText(entry)}</Text>
            </View>
          );
        })}
        {loading && <Loading lang={lang} text={entries.length ? t(lang, 'history.loadingMore') : undefined} />}
        {problem !== undefined && <ErrorNote lang={lang} error={problem} onRetry={() => void loadPage(entries.length === 0)} />}
        {!loading && problem === undefined && entries.length === 0 && <Text className="muted">{t(lang, 'history.empty')}</Text>}
        {!loading && done && entries.length > 0 && <Text className="muted">{t(lang, 'history.end')}</Text>}
      </View>
    </View>
  );
}
