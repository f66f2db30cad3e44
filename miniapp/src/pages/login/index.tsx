/**
 * Sign-in. In WeChat and Alipay the platform says who the user is (no form) and a new user goes on to
 * binding; in H5 the holder signs in with the student/staff id and query password.
 */
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { ErrorNote, Loading } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { useTask } from '../../components/useTask';
import { isPersonId, isSixDigits } from '../../lib/forms';
import { t } from '../../lib/i18n';
import { platformLoginCode, TARGET } from '../../lib/platform';
import { api, setLang, signedIn, useAppState } from '../../lib/store';

export default function Login() {
  const { lang } = useAppState();
  const [personId, setPersonId] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<{ personId?: boolean; password?: boolean }>({});

  const platform = useTask(async () => {
    const login = await platformLoginCode();
    if (!login) return;
    const result = login.platform === 'wechat' ? await api.wechatSignIn(login.code) : await api.alipaySignIn(login.authCode);
    if (result.bound) {
      signedIn(result);
      await Taro.reLaunch({ url: '/pages/index/index' });
    } else {
      await Taro.redirectTo({ url: `/pages/bind/index?bindingToken=${encodeURIComponent(result.bindingToken)}` });
    }
  });
  const passwordSignIn = useTask(async () => {
    signedIn(await api.passwordLogin(personId.trim(), password));
    await Taro.reLaunch({ url: '/pages/index/index' });
  });

  useEffect(() => {
    if (TARGET !== 'h5') void platform.run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = () => {
    const next = { personId: !isPersonId(personId), password: !isSixDigits(password) };
    setProblems(next);
    if (!next.personId && !next.password) void passwordSignIn.run();
  };

  if (TARGET !== 'h5') {
    return (
      <View className="page">
        {platform.state.kind === 'failed' ? <ErrorNote lang={lang} error={platform.state.error} onRetry={() => void platform.run()} /> : <Loading lang={lang} text={t(lang, 'login.signingIn')} />}
      </View>
    );
  }

  return (
    <View className="page">
      <View className="card">
        <View className="row">
          <Text className="title">{t(lang, 'login.title')}</Text>
          <Button className="link-button" size="mini" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {t(lang, 'lang.switch')}
          </Button>
        </View>
        <Field label={t(lang, 'login.personId')} name="personId" value={personId} onInput={setPersonId} maxlength={32} {...(problems.personId ? { problem: t(lang, 'bind.invalid.personId') } : {})} />
        <Field label={t(lang, 'login.queryPassword')} name="queryPassword" value={password} onInput={setPassword} password type="number" maxlength={6} {...(problems.password ? { problem: t(lang, 'form.sixDigits') } : {})} />
        {passwordSignIn.state.kind === 'busy' && <Loading lang={lang} text={t(lang, 'login.signingIn')} />}
        {passwordSignIn.state.kind === 'failed' && <ErrorNote lang={lang} error={passwordSignIn.state.error} />}
        <Button className="primary" id="login-submit" disabled={passwordSignIn.state.kind === 'busy'} onClick={submit}>
          {t(lang, 'login.submit')}
        </Button>
        <Button className="link-button" id="to-bind" onClick={() => void Taro.navigateTo({ url: '/pages/bind/index' })}>
          {t(lang, 'login.toBind')}
        </Button>
      </View>
    </View>
  );
}
