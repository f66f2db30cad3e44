/** Binding the electronic card: the form the card centre's records are checked against (DOMAIN.md). */
import { Button, Picker, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { ID_TYPES } from '@shared/vocabulary';
import { ErrorNote, Loading } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { useTask } from '../../components/useTask';
import { checkBinding, type BindingField, type FieldErrors } from '../../lib/forms';
import { t } from '../../lib/i18n';
import { TARGET } from '../../lib/platform';
import { api, ensureDeviceKey, signedIn, useAppState } from '../../lib/store';

export default function Bind() {
  const { lang } = useAppState();
  const router = useRouter();
  const bindingToken = router.params.bindingToken ? decodeURIComponent(router.params.bindingToken) : undefined;
  const [form, setForm] = useState<Record<BindingField, string>>({ personId: '', cardPassword: '', idType: 'id_card', idNumber: '', mobile: '' });
  const [errors, setErrors] = useState<FieldErrors<BindingField>>({});
  const set = (field: BindingField) => (value: string) => setForm((old) => ({ ...old, [field]: value }));

  const bind = useTask(async () => {
    const checked = checkBinding(form, bindingToken);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    // Bound on this phone: the code moves here now (a new key revokes the old phone's); home tries again if this fails.
    signedIn(await api.bind(checked.request), { bound: true });
    await ensureDeviceKey().catch(() => undefined);
    await Taro.reLaunch({ url: '/pages/index/index' });
  });
  const problem = (field: BindingField) => (errors[field] ? { problem: t(lang, errors[field]!) } : {});

  return (
    <View className="page">
      <View className="card">
        <Text className="title">{t(lang, 'bind.title')}</Text>
        <Text className="help">{t(lang, 'bind.intro')}</Text>
        <View style={{ height: '24px' }} />
        <Field label={t(lang, 'bind.personId')} name="personId" value={form.personId} onInput={set('personId')} maxlength={32} {...problem('personId')} />
        <Field label={t(lang, 'bind.cardPassword')} name="cardPassword" value={form.cardPassword} onInput={set('cardPassword')} password type="number" maxlength={6} {...problem('cardPassword')} />
        <View className="field">
          <Text className="field__label">{t(lang, 'bind.idType')}</Text>
          <Picker mode="selector" range={ID_TYPES.map((type) => t(lang, `bind.idType.${type}`))} value={ID_TYPES.indexOf(form.idType as (typeof ID_TYPES)[number])} onChange={(event) => set('idType')(ID_TYPES[Number(event.detail.value)] ?? 'id_card')}>
            <View className="field__input" id="field-idType">{t(lang, `bind.idType.${form.idType as (typeof ID_TYPES)[number]}`)}</View>
          </Picker>
        </View>
        <Field label={t(lang, 'bind.idNumber')} name="idNumber" value={form.idNumber} onInput={set('idNumber')} type={form.idType === 'id_card' ? 'idcard' : 'text'} maxlength={32} {...problem('idNumber')} />
        <Field label={t(lang, 'bind.mobile')} name="mobile" value={form.mobile} onInput={set('mobile')} type="number" maxlength={14} {...problem('mobile')} />
        {bind.state.kind === 'busy' && <Loading lang={lang} />}
        {bind.state.kind === 'failed' && <ErrorNote lang={lang} error={bind.state.error} />}
        <Button className="primary" id="bind-submit" disabled={bind.state.kind === 'busy'} onClick={() => void bind.run()}>
          {t(lang, 'bind.submit')}
        </Button>
        {TARGET === 'h5' && (
          <Button className="link-button" onClick={() => void Taro.redirectTo({ url: '/pages/login/index' })}>
            {t(lang, 'bind.toLogin')}
          </Button>
        )}
      </View>
    </View>
  );
}
