/**
 * After a successful top-up: offers WeChat/Alipay messages once (per phone), with the template ids
 * the server serves. The dialog opens from the button (the platforms allow it only from a tap).
 * Nothing on H5, where no subscription exists.
 */
import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import type { NotificationSettings } from '../lib/api';
import { t, type Lang } from '../lib/i18n';
import { storage, TARGET, type Target } from '../lib/platform';
import { api, getState } from '../lib/store';
import { ASKED_KEY, ASK_AFTER_TOPUP, shouldAskAfterTopup, subscribe } from '../lib/subscriptions';
import { ErrorNote, SuccessNote } from './Feedback';
import { useTask } from './useTask';

export function SubscribePrompt(props: { lang: Lang; target?: Target }) {
  const target = props.target ?? TARGET;
  const [settings, setSettings] = useState<NotificationSettings>();
  useEffect(() => {
    if (target === 'h5' || storage.get<boolean>(ASKED_KEY)) return;
    // A failure to read the settings only means no prompt this time.
    void api.notificationSettings().then(setSettings, () => undefined);
  }, [target]);
  const ask = useTask(async () => {
    storage.set(ASKED_KEY, true);
    const after = await subscribe({ target, api, payerId: getState().session?.payerId }, settings!, ASK_AFTER_TOPUP);
    return ASK_AFTER_TOPUP.some((kind) => after.subscribed.includes(kind));
  });

  if (!settings) return null;
  if (ask.state.kind === 'done') return <SuccessNote text={t(props.lang, ask.state.value ? 'notify.accepted' : 'notify.declined')} />;
  if (ask.state.kind === 'idle' && !shouldAskAfterTopup(target, settings, false)) return null;
  return (
    <View className="card" id="subscribe-prompt">
      <Text>{t(props.lang, 'notify.ask')}</Text>
      {ask.state.kind === 'failed' && <ErrorNote lang={props.lang} error={ask.state.error} />}
      <Button className="primary" id="subscribe-accept" disabled={ask.state.kind === 'busy'} onClick={() => void ask.run()}>
        {t(props.lang, 'notify.accept')}
      </Button>
    </View>
  );
}
