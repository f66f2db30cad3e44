/** Loading, error and success lines the same way on every page: words for people, never codes. */
import { Button, Text, View } from '@tarojs/components';
import { errorText, t, type Lang } from '../lib/i18n';

export function Loading(props: { lang: Lang; text?: string }) {
  return (
    <View className="feedback feedback--loading" aria-busy="true">
      <View className="spinner" />
      <Text>{props.text ?? t(props.lang, 'common.loading')}</Text>
    </View>
  );
}

export function ErrorNote(props: { lang: Lang; error: unknown; onRetry?: () => void }) {
  return (
    <View className="feedback feedback--error" role="alert">
      <Text>{errorText(props.lang, props.error)}</Text>
      {props.onRetry && (
        <Button className="link-button" size="mini" onClick={props.onRetry}>
          {t(props.lang, 'common.retry')}
        </Button>
      )}
    </View>
  );
}

export function SuccessNote(props: { text: string }) {
  return (
    <View className="feedback feedback--success" role="status">
      <Text>{props.text}</Text>
    </View>
  );
}
