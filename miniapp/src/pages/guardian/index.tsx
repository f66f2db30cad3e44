/**
 * Guardian deposit (家长充值): a parent tops up a holder's card from their own WeChat Pay or Alipay,
 * without signing in or binding. Find the holder by id and name (the server answers with the masked
 * name only when both match), pay on the platform's sheet (H5 demo: the local cashier), then the
 * receipt with the masked name and where the deposit stands. Reached by a link or QR code the holder
 * shares (?id=<personId>); ?order=<orderId> reopens a receipt.
 */
import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { formatYuan } from '@shared/money';
import { ONLINE_TOPUP_MAX_FEN, ONLINE_TOPUP_MIN_FEN } from '@shared/limits';
import { ErrorNote, Loading, SuccessNote } from '../../components/Feedback';
import { AmountPicker } from '../../components/AmountPicker';
import { Field } from '../../components/Field';
import { LocalCashier, useStandIn } from '../../components/StandIn';
import type { GuardianDeposit, GuardianDepositCreated } from '../../lib/api';
import { parseTopupAmount } from '../../lib/forms';
import { t, yuan, type Lang } from '../../lib/i18n';
import { payWithPlatform, platformLoginCode, TARGET, topupChannel, type PaymentOutcome } from '../../lib/platform';
import { api, setLang, useAppState } from '../../lib/store';
import { runDeposit, validLabel, validPersonId, type DepositPhase } from './flow';
import { waitMs } from '../../lib/round-trip';

const RANGE = { onlineTopupMinFen: ONLINE_TOPUP_MIN_FEN, onlineTopupMaxFen: ONLINE_TOPUP_MAX_FEN };

export default function Guardian() {
  const { lang } = useAppState();
  const params = useRouter().params;
  const channel = topupChannel();
  const [personId, setPersonId] = useState(params.id ?? '');
  const [name, setName] = useState('');
  const [problems, setProblems] = useState<{ personId?: boolean; name?: boolean; label?: boolean; amount?: boolean }>({});
  const [finding, setFinding] = useState(false);
  const [findError, setFindError] = useState<unknown>();
  const [maskedName, setMaskedName] = useState<string>();
  const [chip, setChip] = useState<number | undefined>(5_000);
  const [custom, setCustom] = useState('');
  const [label, setLabelText] = useState('');
  const setLabel = (value: string) => {
    setLabelText(value);
    setProblems((old) => ({ ...old, label: false }));
  };
  const [phase, setPhase] = useState<DepositPhase>();
  const [receipt, setReceipt] = useState<GuardianDeposit>();
  const cashier = useStandIn<GuardianDepositCreated, PaymentOutcome>();

  // The bar follows the language (the page's config has the Chinese title).
  useEffect(() => {
    void Promise.resolve(Taro.setNavigationBarTitle({ title: t(lang, 'guardian.title') })).catch(() => undefined);
  }, [lang]);

  // A receipt reopened from its link.
  useEffect(() => {
    if (!params.order) return;
    api.guardianDeposit(params.order).then(setReceipt, (error: unknown) => setFindError(error));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [params.order]);

  const amountFen = custom ? parseTopupAmount(custom, RANGE) : chip;
  const busy = phase?.kind === 'creating' || phase?.kind === 'paying' || phase?.kind === 'confirming';
  const range = { min: yuan(ONLINE_TOPUP_MIN_FEN), max: yuan(ONLINE_TOPUP_MAX_FEN) };

  const find = async () => {
    const bad = { personId: !validPersonId(personId), name: name.trim() === '' };
    setProblems(bad);
    if (bad.personId || bad.name || finding) return;
    setFinding(true);
    setFindError(undefined);
    try {
      setMaskedName((await api.confirmGuardianHolder(personId.trim(), name.trim())).maskedName);
    } catch (error) {
      setFindError(error);
    } finally {
      setFinding(false);
    }
  };

  const pay = async () => {
    if (!channel || busy) return;
    const bad = { label: !validLabel(label), amount: amountFen === undefined };
    setProblems(bad);
    if (bad.label || amountFen === undefined) return;
    // Who pays: the platform says, from its one-time login code (none on H5).
    const login = await platformLoginCode().catch(() => undefined);
    const loginCode = login ? (login.platform === 'wechat' ? login.code : login.authCode) : undefined;
    const final = await runDeposit(
      {
        api,
        pay: TARGET === 'h5' ? cashier.open : (created) => payWithPlatform(created),
        sleep: waitMs,
        onPhase: setPhase,
      },
      { personId: personId.trim(), name: name.trim(), amountFen, channel, payerLabel: label.trim(), ...(loginCode ? { loginCode } : {}) },
    );
    cashier.hide();
    if (final.kind === 'done' || final.kind === 'slow') setReceipt(final.deposit);
  };

  const again = () => {
    setReceipt(undefined);
    setPhase(undefined);
    setCustom('');
  };

  const switcher = (
    <View className="row" style={{ justifyContent: 'flex-end' }}>
      <Button className="link-button" size="mini" id="guardian-lang" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
        {t(lang, 'lang.switch')}
      </Button>
    </View>
  );

  if (receipt) {
    return (
      <View className="page">
        {switcher}
        <Receipt lang={lang} deposit={receipt} />
        <Button className="secondary" id="guardian-again" onClick={again}>
          {t(lang, 'guardian.again')}
        </Button>
      </View>
    );
  }

  if (!channel) {
    return (
      <View className="page">
        {switcher}
        <View className="card">
          <Text>{t(lang, 'guardian.unavailable')}</Text>
        </View>
      </View>
    );
  }

  return (
    <View className="page">
      {switcher}
      <View className="card" id="guardian-find">
        <Text className="title">{t(lang, 'guardian.title')}</Text>
        <Text className="help">{t(lang, 'guardian.intro')}</Text>
        <View style={{ height: '16px' }} />
        {maskedName === undefined ? (
          <View>
            <Field label={t(lang, 'guardian.personId')} name="guardianPersonId" value={personId} onInput={setPersonId} maxlength={32} {...(problems.personId ? { problem: t(lang, 'guardian.invalid.personId') } : {})} />
            <Field label={t(lang, 'guardian.name')} name="guardianName" value={name} onInput={setName} maxlength={32} {...(problems.name ? { problem: t(lang, 'guardian.invalid.name') } : {})} />
            <Button className="primary" id="guardian-find-button" disabled={finding} onClick={() => void find()}>
              {t(lang, finding ? 'guardian.finding' : 'guardian.find')}
            </Button>
            {findError !== undefined && <ErrorNote lang={lang} error={findError} />}
          </View>
        ) : (
          <View id="guardian-holder">
            <Text className="title" style={{ display: 'block' }}>
              {t(lang, 'guardian.holder', { name: maskedName })}
            </Text>
            <Text className="help">{t(lang, 'guardian.holderHint')}</Text>
            <Button
              className="link-button"
              size="mini"
              disabled={busy}
              onClick={() => {
                setMaskedName(undefined);
                setPhase(undefined);
              }}
            >
              {t(lang, 'guardian.change')}
            </Button>
          </View>
        )}
      </View>

      {maskedName !== undefined && (
        <View className="card" id="guardian-pay">
          <Text className="title">{t(lang, 'topup.amount')}</Text>
          <AmountPicker
            lang={lang}
            name="guardianAmount"
            chip={chip}
            custom={custom}
            onChip={(fen) => {
              setChip(fen);
              setCustom('');
            }}
            onCustom={setCustom}
            range={range}
            invalid={problems.amount === true}
          />
          <Text className="field__label">{t(lang, 'guardian.label')}</Text>
          <View className="chips">
            {t(lang, 'guardian.labelChips')
              .split(',')
              .map((word) => (
                <View key={word} className={`chip${label === word ? ' chip--on' : ''}`} onClick={() => setLabel(word)}>
                  {word}
                </View>
              ))}
          </View>
          <Field
            label=""
            name="guardianLabel"
            value={label}
            onInput={setLabel}
            maxlength={8}
            placeholder={t(lang, 'guardian.labelPlaceholder')}
            {...(problems.label ? { problem: t(lang, 'guardian.invalid.label') } : {})}
          />
          <Text className="muted" style={{ display: 'block', marginTop: '12px' }}>
            {t(lang, `topup.channel.${channel}`)}
          </Text>
          <Button className="primary" id="guardian-pay-button" disabled={busy} onClick={() => void pay()}>
            {t(lang, 'guardian.pay', { amount: amountFen !== undefined ? formatYuan(amountFen) : '—' })}
          </Button>
        </View>
      )}

      {cashier.shown && phase?.kind === 'paying' && <LocalCashier lang={lang} order={cashier.shown.deposit} answer={cashier.answer} />}

      {phase && <PhaseNote lang={lang} phase={phase} onRetry={() => void pay()} />}
    </View>
  );
}

function PhaseNote(props: { lang: Lang; phase: DepositPhase; onRetry: () => void }) {
  const { lang, phase } = props;
  switch (phase.kind) {
    case 'creating':
      return <Loading lang={lang} text={t(lang, 'topup.creating')} />;
    case 'paying':
      return <Loading lang={lang} text={t(lang, 'topup.paying')} />;
    case 'confirming':
      return <Loading lang={lang} text={t(lang, 'topup.waiting')} />;
    case 'cancelled':
      return <View className="feedback feedback--error"><Text>{t(lang, 'topup.cancelled')}</Text></View>;
    case 'failed':
      return <ErrorNote lang={lang} error={phase.error} onRetry={props.onRetry} />;
    default:
      return null;
  }
}

/** The payer's receipt: who it went to (masked), how much, as whom, and where it stands. */
function Receipt(props: { lang: Lang; deposit: GuardianDeposit }) {
  const { lang, deposit } = props;
  const when = new Date(Date.parse(deposit.paidAt ?? deposit.createdAt) + 8 * 3600_000).toISOString();
  const rows: [string, string][] = [
    [t(lang, 'guardian.receipt.holder'), deposit.maskedName],
    [t(lang, 'guardian.receipt.amount'), `¥${formatYuan(deposit.amountFen)}`],
    [t(lang, 'guardian.receipt.payer'), deposit.payerLabel],
    [t(lang, 'guardian.receipt.channel'), t(lang, `topup.channel.${deposit.channel}`)],
    [t(lang, 'guardian.receipt.time'), `${when.slice(0, 10)} ${when.slice(11, 19)}`],
    [t(lang, 'guardian.receipt.order'), deposit.orderId],
  ];
  return (
    <View id="guardian-receipt">
      <View className="card" style={{ textAlign: 'center' }}>
        <Text className="muted">{t(lang, 'guardian.receipt')}</Text>
        <Text className="amount" style={{ display: 'block' }}>
          ¥{formatYuan(deposit.amountFen)}
        </Text>
        {deposit.status === 'paid' ? (
          <SuccessNote text={t(lang, 'guardian.status.paid')} />
        ) : (
          <Text id="guardian-status" className="muted" style={{ display: 'block' }}>
            {t(lang, `guardian.status.${deposit.status}`)}
          </Text>
        )}
      </View>
      <View className="card">
        {rows.map(([name, value]) => (
          <View key={name} className="kv row">
            <Text className="muted">{name}</Text>
            <Text className="kv__value">{value}</Text>
          </View>
        ))}
        <View className="kv row">
          <Text className="muted">{t(lang, 'guardian.receipt.status')}</Text>
          <Text className="kv__value" id="guardian-receipt-status">
            {t(lang, `guardian.status.${deposit.status}`)}
          </Text>
        </View>
      </View>
    </View>
  );
}
