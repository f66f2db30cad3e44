/** Settings: passwords (query and consumption), the daily limit, notifications, language, sign out. */
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { formatYuan } from '@shared/money';
import { ErrorNote, Loading, SuccessNote } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { NotificationSettings } from '../../components/NotificationSettings';
import { AutoReloadRow } from '../auto-reload/row';
import { useTask } from '../../components/useTask';
import { checkPasswordChange, isSixDigits, parseDailyLimit, type FieldErrors, type PasswordField } from '../../lib/forms';
import { t, yuan } from '../../lib/i18n';
import { accountPatch, api, passwordChanged, setLang, signOut, useAppState } from '../../lib/store';

export default function Settings() {
  const { lang, account, session } = useAppState();
  const [kind, setKind] = useState<'query' | 'consumption'>('query');
  const [passwords, setPasswords] = useState<Record<PasswordField, string>>({ oldPassword: '', newPassword: '', confirmPassword: '' });
  const [passwordErrors, setPasswordErrors] = useState<FieldErrors<PasswordField>>({});
  const [limit, setLimit] = useState(account ? String(account.dailyLimitFen / 100) : '');
  const [limitPassword, setLimitPassword] = useState('');
  const [limitErrors, setLimitErrors] = useState<{ limit?: boolean; password?: boolean }>({});
  // The campus's maximum, as the server's account view says: the app has no number of its own.
  const policy = account?.policy;
  const maxYuan = policy ? yuan(policy.maxDailyLimitFen) : '…';

  const change = useTask(async () => {
    await api.changePassword(kind, passwords.oldPassword, passwords.newPassword);
    if (kind === 'query') passwordChanged();
    setPasswords({ oldPassword: '', newPassword: '', confirmPassword: '' });
  });
  const saveLimit = useTask(async (fen: number) => {
    const { dailyLimitFen } = await api.setDailyLimit(fen, limitPassword);
    accountPatch({ dailyLimitFen });
    setLimitPassword('');
    return dailyLimitFen;
  });

  const submitPasswords = () => {
    const checked = checkPasswordChange(passwords);
    setPasswordErrors(checked.ok ? {} : checked.errors);
    if (checked.ok) void change.run();
  };
  const submitLimit = () => {
    const fen = policy ? parseDailyLimit(limit, policy) : undefined;
    const errors = { limit: fen === undefined, password: !isSixDigits(limitPassword) };
    setLimitErrors(errors);
    if (fen !== undefined && !errors.password) void saveLimit.run(fen);
  };
  const setPassword = (field: PasswordField) => (value: string) => setPasswords((old) => ({ ...old, [field]: value }));
  const problem = (field: PasswordField) => (passwordErrors[field] ? { problem: t(lang, passwordErrors[field]!) } : {});

  return (
    <View className="page">
      {session?.mustChangePassword && <View className="feedback feedback--error"><Text>{t(lang, 'settings.mustChange')}</Text></View>}
      <View className="card" id="passwords">
        <Text className="title">{t(lang, 'settings.passwords')}</Text>
        <View className="switch">
          {(['query', 'consumption'] as const).map((k) => (
            <View key={k} className={`switch__item${k === kind ? ' switch__item--on' : ''}`} onClick={() => setKind(k)}>
              {t(lang, `settings.kind.${k}`)}
            </View>
          ))}
        </View>
        <Field label={t(lang, 'settings.oldPassword')} name="oldPassword" value={passwords.oldPassword} onInput={setPassword('oldPassword')} password type="number" maxlength={6} {...problem('oldPassword')} />
        <Field label={t(lang, 'settings.newPassword')} name="newPassword" value={passwords.newPassword} onInput={setPassword('newPassword')} password type="number" maxlength={6} {...problem('newPassword')} />
        <Field label={t(lang, 'settings.confirmPassword')} name="confirmPassword" value={passwords.confirmPassword} onInput={setPassword('confirmPassword')} password type="number" maxlength={6} {...problem('confirmPassword')} />
        {change.state.kind === 'busy' && <Loading lang={lang} />}
        {change.state.kind === 'failed' && <ErrorNote lang={lang} error={change.state.error} />}
        {change.state.kind === 'done' && <SuccessNote text={t(lang, 'settings.changed')} />}
        <Button className="primary" id="password-submit" disabled={change.state.kind === 'busy'} onClick={submitPasswords}>
          {t(lang, 'common.submit')}
        </Button>
      </View>

      <View className="card" id="daily-limit">
        <Text className="title">{t(lang, 'settings.limit')}</Text>
        <Text className="help">{t(lang, 'settings.limitHelp', { max: maxYuan })}</Text>
        <View style={{ height: '16px' }} />
        <Field label={`${t(lang, 'settings.limit')} (${t(lang, 'common.yuan')})`} name="dailyLimit" value={limit} onInput={setLimit} type="number" maxlength={6} {...(limitErrors.limit ? { problem: t(lang, 'settings.limitInvalid', { max: maxYuan }) } : {})} />
        <Field label={t(lang, 'settings.consumptionPassword')} name="limitPassword" value={limitPassword} onInput={setLimitPassword} password type="number" maxlength={6} {...(limitErrors.password ? { problem: t(lang, 'form.sixDigits') } : {})} />
        {saveLimit.state.kind === 'busy' && <Loading lang={lang} />}
        {saveLimit.state.kind === 'failed' && <ErrorNote lang={lang} error={saveLimit.state.error} />}
        {saveLimit.state.kind === 'done' && <SuccessNote text={t(lang, 'settings.limitSaved', { limit: formatYuan(saveLimit.state.value) })} />}
        <Button className="primary" id="limit-submit" disabled={saveLimit.state.kind === 'busy'} onClick={submitLimit}>
          {t(lang, 'common.submit')}
        </Button>
      </View>

      <AutoReloadRow lang={lang} />

      <NotificationSettings lang={lang} />

      <View className="card">
        <Text className="title">{t(lang, 'settings.language')}</Text>
        <View className="switch">
          {(['zh', 'en'] as const).map((l) => (
            <View key={l} className={`switch__item${l === lang ? ' switch__item--on' : ''}`} onClick={() => setLang(l)}>
              {l === 'zh' ? '中文' : 'English'}
            </View>
          ))}
        </View>
        <Button
          className="secondary"
          onClick={() => {
            signOut();
            void Taro.reLaunch({ url: '/pages/login/index' });
          }}
        >
          {t(lang, 'settings.signOut')}
        </Button>
      </View>
    </View>
  );
}
