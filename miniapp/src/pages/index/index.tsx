/**
 * Home: the campus code first (it must show at once, online or not), then the holder, balances and
 * the way to everything else. Polls the account while visible so a payment refreshes the code.
 */
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { QrPurpose } from '@shared/qr-token';
import { formatYuan } from '@shared/money';
import { ErrorNote } from '../../components/Feedback';
import { QrCode } from '../../components/QrCode';
import { availability, secondsToNextStep } from '../../lib/campus-code';
import { cardTypeName, statusName, t, yuan } from '../../lib/i18n';
import { beijingTime } from '../../lib/history';
import { noteEntropy } from '../../lib/key-seed';
import { currentCode, ensureDeviceKey, getState, moveCodeHere, refreshAccount, useAppState } from '../../lib/store';

/** At the till a payment should show within seconds; a phone left open on the code needs far fewer looks. */
const POLL_MS = 3_000;
const IDLE_POLL_MS = 15_000;
const BUSY_WINDOW_MS = 3 * 60_000;
const PAID_NOTE_MS = 10_000;

export default function Home() {
  const app = useAppState();
  const { lang, account } = app;
  const [purpose, setPurpose] = useState<QrPurpose>('pay');
  const [token, setToken] = useState<string>();
  const [secondsLeft, setSecondsLeft] = useState(30);
  const [problem, setProblem] = useState<unknown>();
  const [paidFen, setPaidFen] = useState<number>();
  const [help, setHelp] = useState<'transitional' | 'smallWallet'>();
  const [movingBack, setMovingBack] = useState(false);
  const visible = useRef(true);
  const busyUntil = useRef(Date.now() + BUSY_WINDOW_MS);
  const lastLook = useRef(0);
  const lastSpent = useRef<number | undefined>(account?.spentTodayFen);

  const purposeRef = useRef<QrPurpose>('pay');
  // Within a step the same code comes back; a fresh one only when asked. Cheap enough to call every second.
  const draw = useCallback((fresh: boolean) => setToken(currentCode(purposeRef.current, fresh)?.token), []);

  const load = useCallback(async () => {
    lastLook.current = Date.now();
    try {
      const fresh = await refreshAccount();
      setProblem(undefined);
      // Spending went up since the last look: the code was used; never show it again.
      if (lastSpent.current !== undefined && fresh.spentTodayFen > lastSpent.current) {
        setPaidFen(fresh.spentTodayFen - lastSpent.current);
        setTimeout(() => setPaidFen(undefined), PAID_NOTE_MS);
        draw(true);
      }
      lastSpent.current = fresh.spentTodayFen;
      if (fresh.status === 'active') await ensureDeviceKey();
      draw(false);
    } catch (error) {
      // Signed out (the session ran out): sign in again; in WeChat and Alipay that needs no typing.
      if (!getState().session) {
        void Taro.reLaunch({ url: '/pages/login/index' });
        return;
      }
      setProblem(error);
    }
  }, [draw]);

  useEffect(() => {
    if (!getState().session) {
      void Taro.reLaunch({ url: '/pages/login/index' });
      return;
    }
    draw(false);
    void load();
    // Every second: the countdown, and a new code when the server clock enters the next step.
    const tick = setInterval(() => {
      const { clock } = getState();
      if (!clock) return;
      const left = secondsToNextStep(clock, Date.now());
      setSecondsLeft(left);
      draw(false);
    }, 1_000);
    const poll = setInterval(() => {
      const now = Date.now();
      const due = now < busyUntil.current || now - lastLook.current >= IDLE_POLL_MS;
      if (due && visible.current && getState().session) void load();
    }, POLL_MS);
    return () => {
      clearInterval(tick);
      clearInterval(poll);
    };
  }, [draw, load]);

  useDidShow(() => {
    visible.current = true;
    busyUntil.current = Date.now() + BUSY_WINDOW_MS;
    if (getState().session) void load();
  });
  useDidHide(() => {
    visible.current = false;
  });
  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh());
  });

  const switchTo = (next: QrPurpose) => {
    if (next === purpose) return;
    purposeRef.current = next;
    busyUntil.current = Date.now() + BUSY_WINDOW_MS;
    setPurpose(next);
    draw(true);
  };

  const now = Date.now();
  const avail = availability(app.clock, now, app.online);
  const status = account?.status ?? 'active';
  const go = (url: string) => () => void Taro.navigateTo({ url });
  const takeBack = async () => {
    setMovingBack(true);
    try {
      await moveCodeHere();
      setProblem(undefined);
      draw(true);
    } catch (error) {
      setProblem(error);
    } finally {
      setMovingBack(false);
    }
  };

  return (
    // Touch timings feed the key seed's entropy on a phone without a secure random source (lib/key-seed.ts).
    <View className="page home" onTouchStart={(e) => noteEntropy(Number(e.timeStamp))}>
      {account && (
        <View className="holder">
          <View className="row">
            <Text className="holder__name">{account.holderName}</Text>
            <Text className={`badge${status === 'active' ? '' : ' badge--alert'}`} id="account-status">
              {statusName(lang, status)}
            </Text>
          </View>
          <Text className="holder__meta">
            {cardTypeName(lang, account.cardType)} · {account.personId} · No. {account.accountNo}
          </Text>
        </View>
      )}

      <View className="card">
        {status !== 'active' ? (
          <View className="state" id="card-state">
            <Text className="state__title">{statusName(lang, status)}</Text>
            <Text className="muted">{t(lang, `status.${status}.help`)}</Text>
          </View>
        ) : app.codeMoved ? (
          // The server names another phone's key: codes drawn here would be refused (TOKEN_KEY_REVOKED).
          <View className="state" id="code-moved">
            <Text className="state__title">{t(lang, 'home.moved')}</Text>
            <Text className="muted" style={{ display: 'block' }}>
              {app.codeMoved.at ? t(lang, 'home.movedAt', { time: beijingTime(app.codeMoved.at).full }) : t(lang, 'home.movedNoTime')}
            </Text>
            <Text className="help" style={{ display: 'block' }}>{t(lang, 'home.movedNotYou')}</Text>
            <Button className="danger" id="code-moved-report" onClick={go('/pages/card/index')}>
              {t(lang, 'home.movedReport')}
            </Button>
            <Button className="secondary" id="code-moved-use-here" disabled={movingBack} onClick={() => void takeBack()}>
              {t(lang, 'home.movedUseHere')}
            </Button>
          </View>
        ) : (
          <View>
            <View className="switch">
              {(['pay', 'identity'] as const).map((p) => (
                <View key={p} className={`switch__item${p === purpose ? ' switch__item--on' : ''}`} onClick={() => switchTo(p)}>
                  {t(lang, p === 'pay' ? 'home.pay' : 'home.identity')}
                </View>
              ))}
            </View>
            <View className="code">
              {token && avail.kind !== 'stale' ? (
                <QrCode
                  text={token}
                  sizePx={260}
                  onTap={() => {
                    busyUntil.current = Date.now() + BUSY_WINDOW_MS;
                    draw(true);
                  }}
                />
              ) : (
                <View className="state">
                  <Text className="muted">{avail.kind === 'stale' && app.deviceKey ? t(lang, 'home.offlineTooLong') : t(lang, 'home.noKey')}</Text>
                </View>
              )}
              {token && avail.kind !== 'stale' && <Text className="muted code__hint">{t(lang, 'home.refreshIn', { s: secondsLeft })}</Text>}
              {avail.kind === 'offline' && <Text className="code__offline">{t(lang, 'home.offline', { ago: agoText(lang, avail.sinceMs) })}</Text>}
              {paidFen !== undefined && <Text className="feedback feedback--success">{t(lang, 'home.paid', { amount: formatYuan(paidFen) })}</Text>}
            </View>
          </View>
        )}
      </View>

      {problem !== undefined && app.online && <ErrorNote lang={lang} error={problem} onRetry={() => void load()} />}

      {account && (
        <View className="card" id="balances">
          <View className="purses">
            <View className="purse">
              <Text className="purse__label">{t(lang, 'home.balance')}</Text>
              <Text className="amount" id="balance">¥{formatYuan(account.balanceFen)}</Text>
            </View>
          </View>
          <View className="purses">
            <View className="purse" onClick={() => setHelp(help === 'transitional' ? undefined : 'transitional')}>
              <Text className="purse__label">{t(lang, 'home.transitional')} ⓘ</Text>
              <Text className="amount--small" id="transitional">¥{formatYuan(account.transitionalFen)}</Text>
            </View>
            <View className="purse" onClick={() => setHelp(help === 'smallWallet' ? undefined : 'smallWallet')}>
              <Text className="purse__label">{t(lang, 'home.smallWallet')} ⓘ</Text>
              <Text className="amount--small" id="small-wallet">¥{formatYuan(account.smallWalletFen)}</Text>
            </View>
          </View>
          {help && <Text className="help">{help === 'transitional' ? t(lang, 'home.transitionalHelp') : t(lang, 'home.smallWalletHelp', { cap: yuan(account.policy.smallWalletCapFen) })}</Text>}
          <Text className="muted">{t(lang, 'home.spentToday', { spent: formatYuan(account.spentTodayFen), limit: formatYuan(account.dailyLimitFen) })}</Text>
          {app.accountAtMs !== undefined && (
            <Text className="muted" style={{ display: 'block' }}>
              {app.online ? t(lang, 'home.updatedAt', { time: beijingTime(new Date(app.accountAtMs).toISOString()).time }) : t(lang, 'home.cached')}
            </Text>
          )}
        </View>
      )}

      <View className="card nav">
        <View className="nav__item" onClick={go('/pages/topup/index')}>{t(lang, 'nav.topup')}</View>
        <View className="nav__item" onClick={go('/pages/history/index')}>{t(lang, 'nav.history')}</View>
        <View className="nav__item" id="nav-utilities" onClick={go('/pages/utilities/index')}>{t(lang, 'nav.utilities')}</View>
        <View className="nav__item" onClick={go('/pages/card/index')}>{t(lang, 'nav.card')}</View>
        <View className="nav__item" onClick={go('/pages/settings/index')}>{t(lang, 'nav.settings')}</View>
      </View>
    </View>
  );
}

function agoText(lang: 'zh' | 'en', ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return lang === 'zh' ? '刚刚' : 'just now';
  if (minutes < 60) return lang === 'zh' ? `${minutes} 分钟前` : `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return lang === 'zh' ? `${hours} 小时前` : `${hours} h ago`;
}
