/**
 * Settings' notifications: each kind on or off, the low-balance threshold, and a button that asks
 * the platform for the templates not yet accepted (three per dialog, the platforms' limit). On H5
 * it only says that the web version gets no messages: there is nothing to turn on.
 */
import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { formatYuan, parseYuan } from '@shared/money';
import type { NotificationSettings as Settings } from '../lib/api';
import { t, type Lang } from '../lib/i18n';
import { TARGET, type Target } from '../lib/platform';
import { api, getState } from '../lib/store';
import { NOTIFICATION_KINDS } from '@shared/api/notifications';
import { nextKindsToAsk, subscribe } from '../lib/subscriptions';
import { ErrorNote, Loading, SuccessNote } from './Feedback';
import { Field } from './Field';
import { useTask } from './useTask';

/** The kinds this section lists, each with its `notify.kind.*` words: every kind the server sends. */
const KINDS = NOTIFICATION_KINDS;

/** The threshold as typed: empty clears it; undefined when it is not an amount above 0. */
export function parseThreshold(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  try {
    const fen = parseYuan(trimmed);
    return fen > 0 ? fen : undefined;
  } catch {
    return undefined;
  }
}

export function NotificationSettings(props: { lang: Lang; target?: Target }) {
  const { lang } = props;
  const target = props.target ?? TARGET;
  const [settings, setSettings] = useState<Settings>();
  const [threshold, setThreshold] = useState('');
  const [thresholdProblem, setThresholdProblem] = useState(false);
  const load = useTask(async () => {
    const loaded = await api.notificationSettings();
    setSettings(loaded);
    setThreshold(loaded.lowBalanceFen === null ? '' : formatYuan(loaded.lowBalanceFen));
    return loaded;
  });
  useEffect(() => {
    if (target !== 'h5') void load.run();
  }, [target]); // eslint-disable-line react-hooks/exhaustive-deps
  const save = useTask(async (change: Parameters<typeof api.updateNotificationSettings>[0]) => {
    const saved = await api.updateNotificationSettings(change);
    setSettings(saved);
    return saved;
  });
  const ask = useTask(async () => {
    const after = await subscribe({ target, api, payerId: getState().session?.payerId }, settings!, nextKindsToAsk(target, settings!));
    setSettings(after);
    return after;
  });

  if (target === 'h5') {
    return (
      <View className="card" id="notifications">
        <Text className="title">{t(lang, 'notify.title')}</Text>
        <Text className="help" id="notifications-h5">{t(lang, 'notify.h5')}</Text>
      </View>
    );
  }
  const submitThreshold = () => {
    const fen = parseThreshold(threshold);
    setThresholdProblem(fen === undefined);
    if (fen !== undefined) void save.run({ lowBalanceFen: fen });
  };
  const left = settings ? nextKindsToAsk(target, settings) : [];
  return (
    <View className="card" id="notifications">
      <Text className="title">{t(lang, 'notify.title')}</Text>
      {load.state.kind === 'busy' && <Loading lang={lang} />}
      {load.state.kind === 'failed' && <ErrorNote lang={lang} error={load.state.error} onRetry={() => void load.run()} />}
      {settings && (
        <View>
          {KINDS.map((kind) => (
            <View key={kind} className="row" id={`notify-${kind}`}>
              <Text>
                {t(lang, `notify.kind.${kind}`)}
                {!settings.subscribed.includes(kind) ? ` · ${t(lang, 'notify.unsubscribed')}` : ''}
              </Text>
              <View className="switch">
                {([true, false] as const).map((on) => (
                  <View
                    key={String(on)}
                    className={`switch__item${settings.events[kind] === on ? ' switch__item--on' : ''}`}
                    onClick={() => settings.events[kind] !== on && void save.run({ events: { [kind]: on } })}
                  >
                    {t(lang, on ? 'notify.on' : 'notify.off')}
                  </View>
                ))}
              </View>
            </View>
          ))}
          <View style={{ height: '16px' }} />
          <Field
            label={t(lang, 'notify.threshold')}
            name="lowBalance"
            value={threshold}
            onInput={setThreshold}
            type="digit"
            maxlength={9}
            {...(thresholdProblem ? { problem: t(lang, 'notify.thresholdInvalid') } : {})}
          />
          <Text className="help">{t(lang, 'notify.thresholdHelp')}</Text>
          {save.state.kind === 'busy' && <Loading lang={lang} />}
          {save.state.kind === 'failed' && <ErrorNote lang={lang} error={save.state.error} />}
          {save.state.kind === 'done' && <SuccessNote text={t(lang, 'notify.saved')} />}
          <Button className="primary" id="notify-threshold-save" disabled={save.state.kind === 'busy'} onClick={submitThreshold}>
            {t(lang, 'common.submit')}
          </Button>
          {ask.state.kind === 'failed' && <ErrorNote lang={lang} error={ask.state.error} />}
          {left.length > 0 && (
            <Button className="secondary" id="notify-subscribe" disabled={ask.state.kind === 'busy'} onClick={() => void ask.run()}>
              {t(lang, 'notify.subscribe')}
            </Button>
          )}
        </View>
      )}
    </View>
  );
}
