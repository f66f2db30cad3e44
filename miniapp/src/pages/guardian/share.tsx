/**
 * The holder's side of a guardian deposit: a link and a QR code to send a parent, opening the
 * guardian page with the holder's id filled in (the parent still types the name: the id alone
 * confirms nothing).
 */
import { Text, View } from '@tarojs/components';
import { QrCode } from '../../components/QrCode';
import { t, type Lang } from '../../lib/i18n';
import { TARGET } from '../../lib/platform';

export function guardianLink(personId: string): string {
  const path = `#/pages/guardian/index?id=${encodeURIComponent(personId)}`;
  // H5: this very app; the mini-programs: the H5 build the API serves (a parent needs no mini-program).
  if (TARGET === 'h5' && typeof window !== 'undefined') return `${window.location.origin}${window.location.pathname}${path}`;
  return `${ECARD_API_BASE}/${path}`;
}

export function GuardianShare(props: { lang: Lang; personId: string }) {
  const link = guardianLink(props.personId);
  return (
    <View className="card" id="guardian-share">
      <Text className="title">{t(props.lang, 'guardian.share.title')}</Text>
      <Text className="help">{t(props.lang, 'guardian.share.intro')}</Text>
      <View style={{ display: 'flex', justifyContent: 'center', margin: '12px 0' }}>
        <QrCode text={link} sizePx={180} mode="Byte" />
      </View>
      <Text className="muted" id="guardian-share-link" selectable style={{ display: 'block', wordBreak: 'break-all' }}>
        {link}
      </Text>
    </View>
  );
}
