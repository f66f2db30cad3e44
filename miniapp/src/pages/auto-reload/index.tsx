/**
 * Automatic reload (issue 18 item 2): set a threshold and an amount, sign the platform's recurring
 * debit (WeChat 委托代扣 / Alipay 商户代扣; H5 demo: the local stand-in), then see, change or turn it
 * off. Whether it is on is the server's word (the platform's signed notice), never the app's.
 */
import { Button, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useState } from 'react';
import { formatYuan } from '@shared/money';
import { ErrorNote, Loading, SuccessNote } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { StandInCard, useStandIn } from '../../components/StandIn';
import { useTask } from '../../components/useTask';
import type { AutoReload, AutoReloadSigning } from '../../lib/api';
import { t, yuan, type Lang } from '../../lib/i18n';
import { signWithPlatform, TARGET, topupChannel, type SigningOutcome } from '../../lib/platform';
import { api, useAppState } from '../../lib/store';
import { checkSettings, formDefaults, runSigning, type SettingsCheck, type SettingsField, type SigningPhase } from './flow';
import { waitMs } from '../../lib/round-trip';

type Problems = Extract<SettingsCheck, { ok: false }>['errors'];

export default function AutoReloadPage() {
  const { lang } = useAppState();
  const channel = topupChannel();
  const [view, setView] = useState<AutoReload>();
  const [form, setForm] = useState<Record<SettingsField, string>>({ threshold: '', amount: '' });
  const [problems, setProblems] = useState<Problems>({});
  const [phase, setPhase] = useState<SigningPhase>();
  const standIn = useStandIn<AutoReloadSigning, SigningOutcome>();
  const [askingCancel, setAskingCancel] = useState(false);
  const [justCancelled, setJustCancelled] = useState(false);

  const show = (next: AutoReload) => {
    setView(next);
    const defaults = formDefaults(next);
    setForm({ threshold: yuan(defaults.thresholdFen), amount: yuan(defaults.amountFen) });
    setProblems({});
  };
  const load = useTask(async () => {
    const loaded = await api.autoReload();
    show(loaded);
    return loaded;
  });
  useDidShow(() => {
    if (channel) void load.run();
  });
  const save = useTask(async (thresholdFen: number, amountFen: number) => {
    const saved = await api.updateAutoReload(thresholdFen, amountFen);
    show(saved);
    return saved;
  });
  const cancel = useTask(async () => {
    const cancelled = await api.cancelAutoReload();
    setAskingCancel(false);
    setPhase(undefined);
    setJustCancelled(true);
    show(cancelled);
    return cancelled;
  });

  const signing = phase?.kind === 'starting' || phase?.kind === 'signing' || phase?.kind === 'confirming';
  const busy = signing || save.state.kind === 'busy' || cancel.state.kind === 'busy';

  const checked = (): SettingsCheck | undefined => {
    if (!view) return undefined;
    const result = checkSettings(form, view.bounds);
    setProblems(result.ok ? {} : result.errors);
    return result;
  };

  // H5 has no signing page: the stand-in card waits for the holder's tap, as the top-up's local cashier does.
  const signAtStandIn = async (created: AutoReloadSigning) => {
    // Whatever the fake platform answered, the poll finds out what it did with the agreement.
    await api.localAgreementSign(created.signing.channel, created.agreementCode).catch(() => undefined);
    standIn.answer('returned');
  };

  const start = async () => {
    if (!channel || busy) return;
    const result = checked();
    if (!result?.ok) return;
    setJustCancelled(false);
    save.reset();
    cancel.reset();
    const final = await runSigning(
      {
        api,
        sign: TARGET === 'h5' ? standIn.open : (created) => signWithPlatform(created.signing),
        sleep: waitMs,
        onPhase: setPhase,
      },
      channel,
      result.thresholdFen,
      result.amountFen,
    );
    standIn.hide();
    if (final.kind === 'active' || final.kind === 'pending') show(final.view);
  };
  const submitChange = () => {
    if (busy) return;
    const result = checked();
    if (result?.ok) void save.run(result.thresholdFen, result.amountFen);
  };

  if (!channel) {
    return (
      <View className="page">
        <View className="card">
          <Text>{t(lang, 'autoReload.unavailable')}</Text>
        </View>
      </View>
    );
  }
  if (!view) {
    return (
      <View className="page">
        {load.state.kind === 'failed' ? <ErrorNote lang={lang} error={load.state.error} onRetry={() => void load.run()} /> : <Loading lang={lang} />}
      </View>
    );
  }

  const fields = (
    <SettingsFields
      lang={lang}
      form={form}
      problems={problems}
      onInput={(field, value) => {
        setForm((old) => ({ ...old, [field]: value }));
        // What was wrong with a field is no longer said once it is being corrected.
        setProblems(({ [field]: _fixed, ...rest }) => rest);
      }}
    />
  );
  const channelName = t(lang, TARGET === 'h5' ? 'autoReload.channel.h5' : `autoReload.channel.${channel}`);

  return (
    <View className="page">
      {view.status === 'active' && (
        <>
          <View className="card" id="auto-reload-active">
            <Text className="title">{t(lang, 'autoReload.active')}</Text>
            <Kv label={t(lang, 'autoReload.channel')} value={t(lang, `autoReload.channel.${view.channel ?? channel}`)} />
            <Kv label={t(lang, 'autoReload.activeThreshold')} value={view.thresholdFen !== null ? `¥${formatYuan(view.thresholdFen)}` : '—'} id="auto-reload-threshold" />
            <Kv label={t(lang, 'autoReload.activeAmount')} value={view.amountFen !== null ? `¥${formatYuan(view.amountFen)}` : '—'} id="auto-reload-amount" />
            <Text className="help" id="auto-reload-today">
              {t(lang, 'autoReload.today', { count: view.reloadsToday, max: view.dailyMax })}
            </Text>
          </View>
          <View className="card" id="auto-reload-edit">
            <Text className="title">{t(lang, 'autoReload.edit')}</Text>
            {fields}
            {save.state.kind === 'busy' && <Loading lang={lang} />}
            {save.state.kind === 'failed' && <ErrorNote lang={lang} error={save.state.error} />}
            {save.state.kind === 'done' && <SuccessNote text={t(lang, 'autoReload.saved')} />}
            <Button className="primary" id="auto-reload-save" disabled={busy} onClick={submitChange}>
              {t(lang, 'autoReload.save')}
            </Button>
          </View>
          <View className="card" id="auto-reload-off">
            {cancel.state.kind === 'failed' && <ErrorNote lang={lang} error={cancel.state.error} />}
            {askingCancel ? (
              <View id="auto-reload-cancel-confirm">
                <Text className="help">{t(lang, 'autoReload.cancelConfirm')}</Text>
                <Button className="danger" id="auto-reload-cancel-yes" disabled={busy} onClick={() => void cancel.run()}>
                  {t(lang, 'autoReload.cancelYes')}
                </Button>
                <Button className="secondary" id="auto-reload-cancel-no" disabled={busy} onClick={() => setAskingCancel(false)}>
                  {t(lang, 'common.cancel')}
                </Button>
              </View>
            ) : (
              <Button className="secondary" id="auto-reload-cancel" disabled={busy} onClick={() => setAskingCancel(true)}>
                {t(lang, 'autoReload.cancel')}
              </Button>
            )}
          </View>
        </>
      )}

      {view.status === 'signing' && !signing && (
        <View className="card" id="auto-reload-unfinished">
          <Text className="title">{t(lang, 'autoReload.unfinished')}</Text>
          <Text className="help">{t(lang, 'autoReload.unfinishedHelp')}</Text>
          <View style={{ height: '16px' }} />
          {fields}
          {cancel.state.kind === 'failed' && <ErrorNote lang={lang} error={cancel.state.error} />}
          <Button className="primary" id="auto-reload-retry" disabled={busy} onClick={() => void start()}>
            {t(lang, 'autoReload.retry')}
          </Button>
          <Button className="secondary" id="auto-reload-abandon" disabled={busy} onClick={() => void cancel.run()}>
            {t(lang, 'autoReload.abandon')}
          </Button>
        </View>
      )}

      {(view.status === 'none' || view.status === 'cancelled' || (view.status === 'signing' && signing)) && (
        <View className="card" id="auto-reload-form">
          <Text className="title">{t(lang, 'autoReload.title')}</Text>
          {view.status === 'cancelled' && (
            <View id="auto-reload-cancelled" className={`feedback ${justCancelled ? 'feedback--success' : 'feedback--loading'}`}>
              <Text>{t(lang, 'autoReload.cancelled')}</Text>
            </View>
          )}
          {fields}
          <Kv label={t(lang, 'autoReload.channel')} value={channelName} />
          <Text className="help">{t(lang, 'autoReload.explain', { channel: t(lang, `autoReload.channel.${channel}`), max: view.dailyMax })}</Text>
          <Button className="primary" id="auto-reload-sign" disabled={busy} onClick={() => void start()}>
            {t(lang, 'autoReload.sign')}
          </Button>
        </View>
      )}

      {standIn.shown && phase?.kind === 'signing' && (
        <StandInCard
          lang={lang}
          id="local-agreement"
          title={t(lang, 'autoReload.localSign')}
          detail={`${channelName} · ${standIn.shown.agreementCode}`}
          help={t(lang, 'autoReload.localSignHelp')}
          confirmId="agreement-sign"
          confirm={t(lang, 'autoReload.localSignConfirm')}
          onConfirm={() => void signAtStandIn(standIn.shown!)}
          cancelId="agreement-back"
          onCancel={() => standIn.answer('cancelled')}
        />
      )}

      {phase && <PhaseNote lang={lang} phase={phase} onRetry={() => void start()} />}
    </View>
  );
}

function SettingsFields(props: { lang: Lang; form: Record<SettingsField, string>; problems: Problems; onInput: (field: SettingsField, value: string) => void }) {
  const { lang, problems } = props;
  const problem = (field: SettingsField) => {
    const found = problems[field];
    return found ? { problem: t(lang, found.key, { min: yuan(found.min), max: yuan(found.max) }) } : {};
  };
  return (
    <View>
      <Field label={t(lang, 'autoReload.threshold')} name="autoReloadThreshold" value={props.form.threshold} onInput={(value) => props.onInput('threshold', value)} type="digit" maxlength={9} {...problem('threshold')} />
      <Field label={t(lang, 'autoReload.amount')} name="autoReloadAmount" value={props.form.amount} onInput={(value) => props.onInput('amount', value)} type="digit" maxlength={9} {...problem('amount')} />
    </View>
  );
}

function Kv(props: { label: string; value: string; id?: string }) {
  return (
    <View className="row kv">
      <Text className="muted">{props.label}</Text>
      <Text className="kv__value" {...(props.id ? { id: props.id } : {})}>
        {props.value}
      </Text>
    </View>
  );
}

function PhaseNote(props: { lang: Lang; phase: SigningPhase; onRetry: () => void }) {
  const { lang, phase } = props;
  switch (phase.kind) {
    case 'starting':
      return <Loading lang={lang} text={t(lang, 'autoReload.signing')} />;
    case 'signing':
      return null;
    case 'confirming':
      return <Loading lang={lang} text={t(lang, 'autoReload.confirming')} />;
    case 'active':
      return null;
    case 'pending':
      // Back from the platform but not confirmed yet: the page stays usable; a later visit shows the outcome.
      return phase.outcome === 'returned' && phase.view.status === 'signing' ? (
        <View className="feedback feedback--loading" id="auto-reload-pending">
          <Text>{t(lang, 'autoReload.pending')}</Text>
        </View>
      ) : null;
    case 'failed':
      return <ErrorNote lang={lang} error={phase.error} onRetry={props.onRetry} />;
  }
}
