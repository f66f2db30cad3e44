/** The receipt's dispute: its status and the card centre's answer once raised, else the form to raise it. */
import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { formatYuan } from '@shared/money';
import type { DisputeReason } from '@shared/vocabulary';
import { ErrorNote, Loading, SuccessNote } from '../../components/Feedback';
import { useTask } from '../../components/useTask';
import type { HolderDispute } from '../../lib/api';
import { checkDispute, DISPUTE_DESCRIPTION_MAX, DISPUTE_REASONS, disputeOrNone, REASON_WORDS, STATUS_WORDS, type DisputeField } from '../../lib/disputes';
import { beijingTime } from '../../lib/history';
import { t, type Lang, type TextKey } from '../../lib/i18n';
import { api } from '../../lib/store';

export function DisputeSection(props: { lang: Lang; receiptNo: string }) {
  const { lang, receiptNo } = props;
  const current = useTask(() => disputeOrNone(() => api.dispute(receiptNo)));
  const [raised, setRaised] = useState<HolderDispute>();
  useEffect(() => {
    void current.run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [receiptNo]);

  if (current.state.kind === 'failed') return <ErrorNote lang={lang} error={current.state.error} onRetry={() => void current.run()} />;
  if (current.state.kind !== 'done') return <Loading lang={lang} />;
  const dispute = raised ?? current.state.value;
  if (dispute) return <DisputeStatus lang={lang} dispute={dispute} justRaised={raised !== undefined} />;
  return <DisputeForm lang={lang} receiptNo={receiptNo} onRaised={setRaised} />;
}

export function DisputeStatus(props: { lang: Lang; dispute: HolderDispute; justRaised?: boolean }) {
  const { lang, dispute } = props;
  return (
    <View className="card" id="dispute">
      <View className="row">
        <Text className="title">{t(lang, 'dispute.yours')}</Text>
        <Text className={`badge${dispute.status === 'refused' ? ' badge--alert' : ''}`} style={dispute.status === 'refused' ? { color: '#fff' } : { color: '#0b6e4f', background: '#e7f3ee' }} id="dispute-status" data-status={dispute.status}>
          {t(lang, STATUS_WORDS[dispute.status])}
        </Text>
      </View>
      {props.justRaised && <SuccessNote text={t(lang, 'dispute.submitted')} />}
      <View className="kv row">
        <Text className="muted">{t(lang, 'dispute.reason')}</Text>
        <Text className="kv__value">{t(lang, REASON_WORDS[dispute.reason])}</Text>
      </View>
      <View className="kv">
        <Text style={{ display: 'block' }} id="dispute-description">
          {dispute.description}
        </Text>
      </View>
      <View className="kv row">
        <Text className="muted">{t(lang, 'dispute.raisedAt')}</Text>
        <Text className="kv__value">{beijingTime(dispute.createdAt).full}</Text>
      </View>
      {dispute.resolvedAt && (
        <View className="kv row">
          <Text className="muted">{t(lang, 'dispute.resolvedAt')}</Text>
          <Text className="kv__value">{beijingTime(dispute.resolvedAt).full}</Text>
        </View>
      )}
      {dispute.refundFen !== undefined && <SuccessNote text={t(lang, 'dispute.refund', { amount: formatYuan(dispute.refundFen) })} />}
      {dispute.resolution && (
        <Text className="help" id="dispute-resolution">
          {t(lang, 'dispute.resolution')}：{dispute.resolution}
        </Text>
      )}
      <Button className="link-button" id="dispute-to-list" onClick={() => void Taro.navigateTo({ url: '/pages/disputes/index' })}>
        {t(lang, 'dispute.toList')}
      </Button>
    </View>
  );
}

function DisputeForm(props: { lang: Lang; receiptNo: string; onRaised(dispute: HolderDispute): void }) {
  const { lang } = props;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<DisputeReason>();
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Partial<Record<DisputeField, TextKey>>>({});
  const submit = useTask(async () => {
    const checked = checkDispute(props.receiptNo, { reason, description });
    if (!checked.ok) {
      setErrors(checked.errors);
      return undefined;
    }
    setErrors({});
    const dispute = await api.raiseDispute(checked.request);
    props.onRaised(dispute);
    return dispute;
  });

  if (!open)
    return (
      <View className="card" id="dispute">
        <Text className="title">{t(lang, 'dispute.title')}</Text>
        <Button className="secondary" id="dispute-open" onClick={() => setOpen(true)}>
          {t(lang, 'dispute.open')}
        </Button>
      </View>
    );
  const max = { max: DISPUTE_DESCRIPTION_MAX };
  return (
    <View className="card" id="dispute">
      <Text className="title">{t(lang, 'dispute.open')}</Text>
      <Text className="help">{t(lang, 'dispute.intro')}</Text>
      <View className="field" style={{ marginTop: '24px' }}>
        <Text className="field__label">{t(lang, 'dispute.reason')}</Text>
        <View className="chips">
          {DISPUTE_REASONS.map((value) => (
            <View
              key={value}
              id={`dispute-reason-${value}`}
              className={`chip${reason === value ? ' chip--on' : ''}`}
              onClick={() => {
                setReason(value);
                setErrors(({ reason: _fixed, ...rest }) => rest);
              }}
            >
              <Text>{t(lang, REASON_WORDS[value])}</Text>
            </View>
          ))}
        </View>
        {errors.reason && <Text className="field__problem">{t(lang, errors.reason)}</Text>}
      </View>
      <View className={`field${errors.description ? ' field--invalid' : ''}`}>
        <Text className="field__label">{t(lang, 'dispute.description', max)}</Text>
        <Textarea
          className="field__input dispute__text"
          id="dispute-description-input"
          style={{ height: '160px', width: 'auto' }}
          value={description}
          maxlength={DISPUTE_DESCRIPTION_MAX}
          placeholder={t(lang, 'dispute.descriptionHint')}
          onInput={(event) => {
            // Taro's Textarea reports its value in the event's detail; an input event without one carries nothing.
            const value: unknown = (event.detail as { value?: unknown } | undefined)?.value;
            if (typeof value !== 'string') return;
            setDescription(value);
            setErrors(({ description: _fixed, ...rest }) => rest);
          }}
        />
        {errors.description && <Text className="field__problem">{t(lang, errors.description, max)}</Text>}
      </View>
      {submit.state.kind === 'failed' && <ErrorNote lang={lang} error={submit.state.error} />}
      <Button className="primary" id="dispute-submit" disabled={submit.state.kind === 'busy'} onClick={() => void submit.run()}>
        {t(lang, 'dispute.submit')}
      </Button>
    </View>
  );
}
