/** "自动充值 · 已开启/未开启": the way to the automatic reload page from settings and top-up (only where this build can sign). */
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import type { AutoReload } from '../../lib/api';
import { t, type Lang } from '../../lib/i18n';
import { topupChannel } from '../../lib/platform';
import { api } from '../../lib/store';

export function autoReloadState(status: AutoReload['status'] | undefined): 'active' | 'signing' | 'off' {
  return status === 'active' ? 'active' : status === 'signing' ? 'signing' : 'off';
}

export function AutoReloadRow(props: { lang: Lang }) {
  const { lang } = props;
  const channel = topupChannel();
  const [status, setStatus] = useState<AutoReload['status']>();
  // The row is only a way in: when the status cannot be read it still leads to the page, which says why.
  const look = useCallback(() => {
    if (channel) void api.autoReload().then((view) => setStatus(view.status), () => undefined);
  }, [channel]);
  useEffect(look, [look]);
  useDidShow(look);
  if (!channel) return null;
  return (
    <View className="card row" id="auto-reload-row" onClick={() => void Taro.navigateTo({ url: '/pages/auto-reload/index' })}>
      <Text>{status ? t(lang, 'autoReload.row', { state: t(lang, `autoReload.state.${autoReloadState(status)}`) }) : t(lang, 'autoReload.title')}</Text>
      <Text className="muted">›</Text>
    </View>
  );
}
