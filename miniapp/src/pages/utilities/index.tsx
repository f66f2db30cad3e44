/**
 * 缴费: the campus network fee by the week (status, paid weeks, 1–4 weeks from the first unpaid one
 * with the total to confirm) and dormitory electricity (room, amount). Numbers come from the server's
 * utilities view; the consumption password is asked only when the server says the daily limit needs
 * it. Each payment says whether it reached the system, is still on its way, or was refunded.
 */
import { Button, Text, View } from '@tarojs/components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { formatYuan } from '@shared/money';
import { ErrorNote, Loading, SuccessNote } from '../../components/Feedback';
import { Field } from '../../components/Field';
import type { Utilities, UtilityPayment, UtilityPaymentResult } from '../../lib/api';
import { isSixDigits } from '../../lib/forms';
import { beijingTime } from '../../lib/history';
import { t, yuan, type Lang } from '../../lib/i18n';
import { api, refreshAccount, useAppState } from '../../lib/store';
import { isRoomId, networkPlan, newRequestId, outcomeUnknown, parseElectricityAmount, runUtilityPayment, weekChoices, type UtilityPhase } from '../../lib/utility-flow';
import { waitMs } from '../../lib/round-trip';

type Which = 'network' | 'electricity';

export default function UtilitiesPage() {
  const { lang } = useAppState();
  const [view, setView] = useState<Utilities>();
  const [loadError, setLoadError] = useState<unknown>();
  const [weeks, setWeeks] = useState(1);
  const [room, setRoom] = useState('');
  const [amount, setAmount] = useState('');
  const [problems, setProblems] = useState<{ room?: boolean; amount?: boolean }>({});
  const [phase, setPhase] = useState<{ which: Which; phase: UtilityPhase }>();
  const [password, setPassword] = useState('');
  const [passwordProblem, setPasswordProblem] = useState(false);
  const passwordAnswer = useRef<(password: string | undefined) => void>();
  // Kept while a payment's outcome is unknown, so a retry is the same payment.
  const requestIds = useRef<Partial<Record<Which, string>>>({});

  const load = useCallback(async () => {
    try {
      setView(await api.utilities());
      setLoadError(undefined);
    } catch (error) {
      setLoadError(error);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const busy = phase?.phase.kind === 'paying' || phase?.phase.kind === 'password';

  const pay = async (which: Which, send: (requestId: string, consumptionPassword?: string) => Promise<UtilityPaymentResult>) => {
    if (busy) return;
    const requestId = (requestIds.current[which] ??= newRequestId());
    const final = await runUtilityPayment({
      pay: (consumptionPassword) => send(requestId, consumptionPassword),
      askPassword: () =>
        new Promise((resolve) => {
          setPassword('');
          setPasswordProblem(false);
          passwordAnswer.current = resolve;
        }),
      poll: (receiptNo) => api.utilityPayment(receiptNo),
      sleep: waitMs,
      onPhase: (next) => setPhase({ which, phase: next }),
    });
    if (final.kind !== 'failed' || !outcomeUnknown(final.error)) delete requestIds.current[which];
    if (final.kind === 'done') {
      void load();
      void refreshAccount().catch(() => undefined);
    }
  };

  const payNetwork = () => {
    if (!view) return;
    void pay('network', (requestId, consumptionPassword) =>
      api.payNetworkFee({ requestId, fromWeek: view.network.nextWeek, weeks, ...(consumptionPassword ? { consumptionPassword } : {}) }),
    );
  };

  const payElectricity = () => {
    if (!view) return;
    const fen = parseElectricityAmount(amount, view.electricity);
    const roomOk = isRoomId(room);
    setProblems({ room: !roomOk, amount: fen === undefined });
    if (!roomOk || fen === undefined) return;
    void pay('electricity', (requestId, consumptionPassword) =>
      api.payElectricity({ requestId, roomId: room.trim(), amountFen: fen, ...(consumptionPassword ? { consumptionPassword } : {}) }),
    );
  };

  const confirmPassword = () => {
    if (!isSixDigits(password)) return setPasswordProblem(true);
    passwordAnswer.current?.(password);
  };

  if (!view) {
    return <View className="page">{loadError !== undefined ? <ErrorNote lang={lang} error={loadError} onRetry={() => void load()} /> : <Loading lang={lang} />}</View>;
  }

  const network = view.network;
  const plan = networkPlan(network, weeks);
  const range = { min: yuan(view.electricity.minFen), max: yuan(view.electricity.maxFen) };
  const fen = parseElectricityAmount(amount, view.electricity);

  const note = (which: Which) =>
    phase?.which === which && (
      <PhaseNote lang={lang} phase={phase.phase} password={password} passwordProblem={passwordProblem} onPassword={setPassword} onConfirm={confirmPassword} onCancel={() => passwordAnswer.current?.(undefined)} />
    );

  return (
    <View className="page">
      <View className="card" id="network-fee">
        <Text className="title">{t(lang, 'utilities.network')}</Text>
        <Text className={network.eligible ? 'muted' : 'feedback feedback--error'} id="network-status" style={{ display: 'block' }}>
          {t(lang, `utilities.network.status.${network.status}`)}
        </Text>
        <Text className="muted" style={{ display: 'block', marginTop: '8px' }}>
          {t(lang, 'utilities.network.price', { price: yuan(network.weeklyFeeFen), max: network.maxWeeks })}
        </Text>
        <Text className="muted" style={{ display: 'block', marginTop: '16px' }}>
          {t(lang, 'utilities.network.paid')}
        </Text>
        <View id="paid-weeks">
          {network.paidWeeks.length === 0 ? (
            <Text className="muted">{t(lang, 'utilities.network.none')}</Text>
          ) : (
            network.paidWeeks.map((paid) => (
              <View className="row" key={paid.week}>
                <Text>{paid.week}</Text>
                <Text className="muted">
                  {paid.from} – {paid.to}
                </Text>
              </View>
            ))
          )}
        </View>
        {network.eligible && (
          <View>
            <View style={{ height: '16px' }} />
            <View className="chips">
              {weekChoices(network).map((n) => (
                <View key={n} id={`weeks-${n}`} className={`chip${weeks === n ? ' chip--on' : ''}`} onClick={() => setWeeks(n)}>
                  {t(lang, 'utilities.network.weeks', { n })}
                </View>
              ))}
            </View>
            <Text className="help" id="network-summary">
              {t(lang, 'utilities.network.summary', { from: plan.fromDay, to: plan.toDay, n: weeks, total: formatYuan(plan.totalFen) })}
            </Text>
            <Button className="primary" id="network-pay" disabled={busy} onClick={payNetwork}>
              {t(lang, 'utilities.network.pay', { total: formatYuan(plan.totalFen) })}
            </Button>
          </View>
        )}
        {note('network')}
      </View>

      <View className="card" id="electricity">
        <Text className="title">{t(lang, 'utilities.electricity')}</Text>
        <Field label={t(lang, 'utilities.electricity.room')} name="roomId" value={room} onInput={setRoom} maxlength={11} {...(problems.room ? { problem: t(lang, 'utilities.electricity.invalidRoom') } : {})} />
        <Field
          label={t(lang, 'utilities.electricity.amount')}
          name="electricityAmount"
          value={amount}
          onInput={setAmount}
          type="digit"
          maxlength={9}
          placeholder={t(lang, 'utilities.electricity.range', range)}
          {...(problems.amount ? { problem: t(lang, 'utilities.electricity.invalidAmount', range) } : {})}
        />
        <Button className="primary" id="electricity-pay" disabled={busy} onClick={payElectricity}>
          {t(lang, 'utilities.electricity.pay', { amount: fen !== undefined ? formatYuan(fen) : '—' })}
        </Button>
        {note('electricity')}
      </View>

      {view.payments.length > 0 && (
        <View className="card" id="utility-payments">
          <Text className="title">{t(lang, 'utilities.recent')}</Text>
          {view.payments.map((payment) => (
            <PaymentRow key={payment.receiptNo} lang={lang} payment={payment} />
          ))}
        </View>
      )}
    </View>
  );
}

function PaymentRow(props: { lang: Lang; payment: UtilityPayment }) {
  const { lang, payment } = props;
  const what = payment.system === 'network' ? `${t(lang, 'utilities.network')} ${payment.weeks?.join(', ') ?? ''}` : `${t(lang, 'utilities.electricity')} ${payment.roomId ?? ''}`;
  return (
    <View className="row" style={{ padding: '12px 0' }}>
      <View>
        <Text style={{ display: 'block' }}>{what}</Text>
        <Text className="muted">
          {beijingTime(payment.createdAt).full} · {t(lang, `utilities.state.${payment.delivery}`)}
        </Text>
      </View>
      <Text>-¥{formatYuan(payment.amountFen)}</Text>
    </View>
  );
}

function PhaseNote(props: {
  lang: Lang;
  phase: UtilityPhase;
  password: string;
  passwordProblem: boolean;
  onPassword: (value: string) => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { lang, phase } = props;
  switch (phase.kind) {
    case 'paying':
      return <Loading lang={lang} />;
    case 'password':
      return (
        <View id="utility-password">
          <Text className="help">{t(lang, 'utilities.passwordNeeded')}</Text>
          <Field
            label={t(lang, 'settings.consumptionPassword')}
            name="utilityPassword"
            value={props.password}
            onInput={props.onPassword}
            password
            type="number"
            maxlength={6}
            {...(props.passwordProblem ? { problem: t(lang, 'form.sixDigits') } : {})}
          />
          <Button className="primary" onClick={props.onConfirm}>
            {t(lang, 'common.submit')}
          </Button>
          <Button className="secondary" onClick={props.onCancel}>
            {t(lang, 'common.cancel')}
          </Button>
        </View>
      );
    case 'done': {
      const { payment } = phase.result;
      const text = t(lang, `utilities.done.${payment.delivery}`, { amount: formatYuan(payment.amountFen) });
      return (
        <View id="utility-result">
          {payment.delivery === 'delivered' ? <SuccessNote text={text} /> : <View className={`feedback ${payment.delivery === 'pending' ? 'feedback--loading' : 'feedback--error'}`}><Text>{text}</Text></View>}
        </View>
      );
    }
    case 'cancelled':
      return null;
    case 'failed':
      return <ErrorNote lang={lang} error={phase.error} />;
  }
}
