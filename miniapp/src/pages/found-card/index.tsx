/**
 * 拾到校园卡 (issue 18 lost and found, docs/lost-and-found.md): a signed-in holder who found someone's
 * card reports it by the number printed on it. The answer is the same whatever the number (the
 * server never says whether a card exists); the finder is told where to hand the card in.
 *
 * ids: found-card, field-cardNumber, found-submit, found-done (the thanks and where to hand it in).
 */
import { Button, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { printedCardNumber } from '@shared/api/lost-found';
import { ErrorNote } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { useTask } from '../../components/useTask';
import { t } from '../../lib/i18n';
import { api, useAppState } from '../../lib/store';

export default function FoundCard() {
  const { lang } = useAppState();
  const [number, setNumber] = useState('');
  const [invalid, setInvalid] = useState(false);
  const report = useTask((cardNumber: string) => api.reportFoundCard(cardNumber));
  const done = report.state.kind === 'done' ? report.state.value : undefined;

  const submit = () => {
    const parsed = printedCardNumber.safeParse(number);
    setInvalid(!parsed.success);
    if (parsed.success) void report.run(parsed.data);
  };

  return (
    <View className="page">
      <View className="card" id="found-card">
        <Text className="title">{t(lang, 'found.title')}</Text>
        {done ? (
          <View id="found-done">
            <Text className="plus" style={{ display: 'block' }}>{t(lang, 'found.thanks')}</Text>
            <Text className="help">{t(lang, 'found.handIn', { place: done.handInAt })}</Text>
          </View>
        ) : (
          <>
            <Text className="help">{t(lang, 'found.help')}</Text>
            <View style={{ height: '16px' }} />
            <Field label={t(lang, 'found.number')} name="cardNumber" value={number} onInput={setNumber} type="number" maxlength={12} {...(invalid ? { problem: t(lang, 'found.invalid') } : {})} />
            {report.state.kind === 'failed' && <ErrorNote lang={lang} error={report.state.error} />}
            <Button className="primary" id="found-submit" disabled={report.state.kind === 'busy'} onClick={submit}>
              {t(lang, 'found.submit')}
            </Button>
          </>
        )}
      </View>
    </View>
  );
}
