/** Card services: status and cards, report loss, unfreeze, and how to get a replacement. */
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState, type ReactNode } from 'react';
import { formatYuan } from '@shared/money';
import { ErrorNote, Loading, SuccessNote } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { useTask, type TaskState } from '../../components/useTask';
import { isSixDigits } from '../../lib/forms';
import { beijingTime } from '../../lib/history';
import { cardKindName, statusName, t, type Lang } from '../../lib/i18n';
import { api, refreshAccount, useAppState } from '../../lib/store';
import { LostCardTaps } from '../found-card/lost-taps';

export default function Card() {
  const { lang, account } = useAppState();
  const [password, setPassword] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [replacePassword, setReplacePassword] = useState('');
  const [replaceInvalid, setReplaceInvalid] = useState(false);
  const [kind, setKind] = useState<'cpu' | 'm1'>('cpu');
  const load = useTask(refreshAccount);
  const replacement = useTask(() => api.replacement());
  const requestReplacement = useTask(async () => {
    await api.requestReplacement(replacePassword, kind);
    setReplacePassword('');
    await replacement.run();
  });
  const loss = useTask(async () => {
    await api.reportLoss(password);
    setPassword('');
    return refreshAccount();
  });
  const unfreeze = useTask(async () => {
    await api.unfreeze(password);
    setPassword('');
    return refreshAccount();
  });
  useEffect(() => {
    void load.run();
    void replacement.run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = (task: typeof loss) => () => {
    const ok = isSixDigits(password);
    setInvalid(!ok);
    if (ok) void task.run();
  };

  if (!account) return <View className="page">{load.state.kind === 'failed' ? <ErrorNote lang={lang} error={load.state.error} onRetry={() => void load.run()} /> : <Loading lang={lang} />}</View>;
  const request = replacement.state.kind === 'done' ? replacement.state.value.request : undefined;
  // The fee for this holder and the kiosk's minimum, as the campus policy says (the account view).
  const { replacementFeeFen, selfReplacementMinBalanceFen } = account.policy;
  const busy = loss.state.kind === 'busy' || unfreeze.state.kind === 'busy';
  const passwordField = (
    <Field label={t(lang, 'card.queryPassword')} name="queryPassword" value={password} onInput={setPassword} password type="number" maxlength={6} {...(invalid ? { problem: t(lang, 'form.sixDigits') } : {})} />
  );

  return (
    <View className="page">
      <View className="card">
        <View className="row">
          <Text className="title">{t(lang, 'card.status')}</Text>
          <Text className={`badge${account.status === 'active' ? '' : ' badge--alert'}`} style={{ color: account.status === 'active' ? '#0b6e4f' : '#fff' }} id="card-status">
            {statusName(lang, account.status)}
          </Text>
        </View>
        <Text className="muted">{t(lang, 'card.cards')}</Text>
        {account.cards.map((card) => (
          <View key={card.cardId} className="kv row">
            <Text>
              {cardKindName(lang, card.kind)} {card.chipUidMasked ?? ''}
            </Text>
            <Text className="muted">{card.status === 'replaced' ? '—' : statusName(lang, card.status === 'active' ? 'active' : card.status === 'lost' ? 'lost' : 'cancelled')}</Text>
          </View>
        ))}
      </View>

      {account.status === 'active' && (
        <PasswordAction id="loss" lang={lang} title={t(lang, 'card.loss')} help={t(lang, 'card.lossHelp')} field={passwordField} task={loss} button="danger" action={t(lang, 'card.lossConfirm')} busy={busy} onSubmit={submit(loss)} />
      )}
      {loss.state.kind === 'done' && <SuccessNote text={t(lang, 'card.lost')} />}

      {account.status === 'lost' && (
        <PasswordAction id="unfreeze" lang={lang} title={t(lang, 'card.unfreeze')} help={t(lang, 'card.unfreezeHelp')} field={passwordField} task={unfreeze} button="primary" action={t(lang, 'card.unfreeze')} busy={busy} onSubmit={submit(unfreeze)} />
      )}
      {unfreeze.state.kind === 'done' && <SuccessNote text={t(lang, 'card.unfrozen')} />}

      <LostCardTaps lang={lang} lost={account.status === 'lost'} />

      <View className="card" id="replacement">
        <Text className="title">{t(lang, 'card.replace')}</Text>
        <Text className="help">{t(lang, 'card.replaceHelp', { fee: formatYuan(replacementFeeFen) })}</Text>
        {request?.status === 'requested' && <SuccessNote text={t(lang, 'card.requested', { time: beijingTime(request.requestedAt).full, fee: formatYuan(request.feeFen) })} />}
        {request?.status === 'issued' && account.status !== 'lost' && <Text className="help">{t(lang, 'card.requestIssued', { time: beijingTime(request.issuedAt ?? request.requestedAt).full })}</Text>}
        {account.status === 'active' && <Text className="help">{t(lang, 'card.replaceFirstLoss')}</Text>}
        {account.status === 'lost' && request?.status !== 'requested' && (
          <View id="replacement-request">
            <Text className="field__label" style={{ marginTop: '16px' }}>{t(lang, 'card.requestTitle')}</Text>
            <Text className="help">{t(lang, 'card.requestHelp', { fee: formatYuan(replacementFeeFen) })}</Text>
            <Text className="field__label" style={{ marginTop: '16px' }}>{t(lang, 'card.requestKind')}</Text>
            <View className="chips" style={{ marginBottom: '16px' }}>
              {(['cpu', 'm1'] as const).map((k) => (
                <View key={k} className={`chip${k === kind ? ' chip--on' : ''}`} onClick={() => setKind(k)}>
                  {cardKindName(lang, k)}
                </View>
              ))}
            </View>
            <Field label={t(lang, 'card.queryPassword')} name="replacePassword" value={replacePassword} onInput={setReplacePassword} password type="number" maxlength={6} {...(replaceInvalid ? { problem: t(lang, 'form.sixDigits') } : {})} />
            {requestReplacement.state.kind === 'failed' && <ErrorNote lang={lang} error={requestReplacement.state.error} />}
            <Button
              className="secondary"
              id="replacement-submit"
              disabled={requestReplacement.state.kind === 'busy'}
              onClick={() => {
                const ok = isSixDigits(replacePassword);
                setReplaceInvalid(!ok);
                if (ok) void requestReplacement.run();
              }}
            >
              {t(lang, 'card.requestSubmit')}
            </Button>
          </View>
        )}
        <Text className="help">{t(lang, 'card.replaceKiosk', { min: formatYuan(selfReplacementMinBalanceFen) })}</Text>
        <Text className="help">
          {account.balanceFen >= selfReplacementMinBalanceFen
            ? t(lang, 'card.replaceReady', { balance: formatYuan(account.balanceFen) })
            : t(lang, 'card.replaceLow', { balance: formatYuan(account.balanceFen), min: formatYuan(selfReplacementMinBalanceFen) })}
        </Text>
        <Text className="help">{t(lang, 'card.replaceCentre')}</Text>
      </View>

      <Button className="secondary" id="found-card-open" onClick={() => void Taro.navigateTo({ url: '/pages/found-card/index' })}>
        {t(lang, 'found.open')}
      </Button>
    </View>
  );
}

/** One password-confirmed action (report loss, unfreeze): what it does, the password, the button. */
function PasswordAction(props: {
  id: string;
  lang: Lang;
  title: string;
  help: string;
  field: ReactNode;
  task: { state: TaskState<unknown> };
  button: 'danger' | 'primary';
  action: string;
  busy: boolean;
  onSubmit: () => void;
}) {
  return (
    <View className="card" id={props.id}>
      <Text className="title">{props.title}</Text>
      <Text className="help">{props.help}</Text>
      <View style={{ height: '16px' }} />
      {props.field}
      {props.task.state.kind === 'failed' && <ErrorNote lang={props.lang} error={props.task.state.error} />}
      <Button className={props.button} id={`${props.id}-submit`} disabled={props.busy} onClick={props.onSubmit}>
        {props.action}
      </Button>
    </View>
  );
}
