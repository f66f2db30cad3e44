/**
 * Campus policy (参数设置, GET/PUT /v1/admin/policy): every setting where card centres differ, with
 * its current value, its default (include=defaults) and what it means. Administrators edit and save
 * them all at once with a reason (the API checks them with the same contract: a default daily limit
 * above the maximum is refused before sending); every other role reads them.
 *
 * data-testids: policy-table, policy-row-<setting>, policy-value-<setting>, policy-default-<setting>,
 *   policy-input-<setting>, policy-save, policy-reset, policy-error, policy-readonly, policy-saved
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Input, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import type { z } from 'zod';
import { campusPolicy, getCampusPolicy, putCampusPolicy } from '@shared/api/admin';
import { MAX_DAILY_LIMIT_FEN } from '@shared/limits';
import { formatYuan, parseYuan } from '@shared/money';
import { ReasonDialog } from '../components/ReasonDialog';
import { allowed, ErrorAlert, useConsole } from '../console-context';
import { useI18n, type WordKey } from '../i18n';

type CampusPolicy = z.output<typeof campusPolicy>;
type Setting = keyof CampusPolicy;
/** How staff type a setting: yuan for amounts, a count of days or of times, a switch, a choice. */
type Draft = Record<Setting, string>;

const SETTINGS: { key: Setting; unit: 'yuan' | 'days' | 'count' | 'switch' | 'x' }[] = [
  { key: 'replacementFeeFen', unit: 'yuan' },
  { key: 'temporaryReplacementFeeFen', unit: 'yuan' },
  { key: 'selfReplacementMinBalanceFen', unit: 'yuan' },
  { key: 'defaultDailyLimitFen', unit: 'yuan' },
  { key: 'maxDailyLimitFen', unit: 'yuan' },
  { key: 'temporaryCardMaxDays', unit: 'days' },
  { key: 'disputeWindowDays', unit: 'days' },
  { key: 'guardianDailyCapFen', unit: 'yuan' },
  { key: 'autoReloadMinAmountFen', unit: 'yuan' },
  { key: 'autoReloadMaxAmountFen', unit: 'yuan' },
  { key: 'autoReloadMaxThresholdFen', unit: 'yuan' },
  { key: 'autoReloadDailyMax', unit: 'count' },
  { key: 'unfreezeInApp', unit: 'switch' },
  { key: 'idNumberX', unit: 'x' },
];

function toDraft(policy: CampusPolicy): Draft {
  const draft = {} as Draft;
  for (const { key, unit } of SETTINGS) draft[key] = unit === 'yuan' ? formatYuan(policy[key] as number) : String(policy[key]);
  return draft;
}

/** The draft as the API's policy; a field that is not a number yet stays text and the contract refuses it. */
export function fromDraft(draft: Draft): Record<Setting, unknown> {
  const policy = {} as Record<Setting, unknown>;
  for (const { key, unit } of SETTINGS) {
    const text = draft[key].trim();
    if (unit === 'yuan') {
      try {
        policy[key] = parseYuan(text);
      } catch {
        policy[key] = text;
      }
    } else if (unit === 'days' || unit === 'count') policy[key] = /^\d+$/.test(text) ? Number(text) : text;
    else if (unit === 'switch') policy[key] = text === 'true';
    else policy[key] = text;
  }
  return policy;
}

export function Policy() {
  const { client, session } = useConsole();
  const { t } = useI18n();
  const [policy, setPolicy] = useState<CampusPolicy>();
  const [defaults, setDefaults] = useState<CampusPolicy>();
  const [draft, setDraft] = useState<Draft>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const mayEdit = allowed(putCampusPolicy, session.role);

  const load = useCallback(async () => {
    try {
      const { defaults: shipped, ...current } = await client.call(getCampusPolicy, { query: { include: 'defaults' } });
      setPolicy(current);
      setDefaults(shipped);
      setDraft(toDraft(current));
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  }, [client]);
  useEffect(() => {
    void load();
  }, [load]);

  const show = useCallback(
    (key: Setting, value: CampusPolicy[Setting] | undefined): string => {
      if (value === undefined) return '—';
      const unit = SETTINGS.find((s) => s.key === key)!.unit;
      if (unit === 'yuan') return `¥${formatYuan(value as number)}`;
      if (unit === 'days') return `${value} ${t('days')}`;
      if (unit === 'count') return `${value} ${t('times')}`;
      if (unit === 'switch') return value ? t('on') : t('off');
      return value === 'drop' ? t('xDrop') : t('xReplace');
    },
    [t],
  );

  const next = useMemo(() => (draft ? campusPolicy.safeParse(fromDraft(draft)) : undefined), [draft]);
  const changed = useMemo(() => (policy && next?.success ? SETTINGS.filter(({ key }) => next.data[key] !== policy[key]).map((s) => s.key) : []), [policy, next]);
  const problems = useMemo(() => new Set(next && !next.success ? next.error.issues.map((issue) => String(issue.path[0])) : []), [next]);

  function input(key: Setting, unit: (typeof SETTINGS)[number]['unit']) {
    if (!draft) return null;
    const set = (value: string) => {
      setSaved(false);
      setDraft({ ...draft, [key]: value });
    };
    if (unit === 'switch') return <Switch data-testid={`policy-input-${key}`} checked={draft[key] === 'true'} onChange={(on) => set(String(on))} checkedChildren={t('on')} unCheckedChildren={t('off')} />;
    if (unit === 'x')
      return (
        <Select
          data-testid={`policy-input-${key}`}
          value={draft[key]}
          onChange={set}
          style={{ width: 140 }}
          options={[
            { value: 'drop', label: t('xDrop') },
            { value: 'replace', label: t('xReplace') },
          ]}
        />
      );
    return (
      <Input
        data-testid={`policy-input-${key}`}
        value={draft[key]}
        onChange={(e) => set(e.target.value)}
        status={problems.has(key) ? 'error' : undefined}
        prefix={unit === 'yuan' ? '¥' : undefined}
        suffix={unit === 'days' ? t('days') : unit === 'count' ? t('times') : undefined}
        style={{ width: 150 }}
      />
    );
  }

  return (
    <Card
      title={t('menuPolicy')}
      extra={
        mayEdit && (
          <Space>
            <Button data-testid="policy-reset" disabled={changed.length === 0} onClick={() => policy && setDraft(toDraft(policy))}>
              {t('cancel')}
            </Button>
            <Button type="primary" data-testid="policy-save" disabled={!next?.success || changed.length === 0} onClick={() => setSaving(true)}>
              {t('save')}
            </Button>
          </Space>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('policyHint')}</Typography.Paragraph>
      {!mayEdit && <Alert data-testid="policy-readonly" type="info" showIcon title={t('policyAdminOnly')} style={{ marginBottom: 12 }} />}
      {saved && <Alert data-testid="policy-saved" type="success" showIcon title={t('saved')} style={{ marginBottom: 12 }} />}
      {next && !next.success && <ErrorAlert error={next.error.issues.map((i) => i.message).join('; ')} testId="policy-problem" />}
      <ErrorAlert error={error} testId="policy-error" />
      <Table
        data-testid="policy-table"
        size="middle"
        rowKey="key"
        pagination={false}
        dataSource={policy ? SETTINGS : []}
        onRow={(row) => ({ 'data-testid': `policy-row-${row.key}`, style: changed.includes(row.key) ? { background: '#fffbe6' } : undefined }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('setting'), key: 'setting', width: 220, render: (_: unknown, { key }) => <Typography.Text strong>{t(`policy_${key}` as WordKey)}</Typography.Text> },
          {
            title: t('value'),
            key: 'value',
            width: 190,
            render: (_: unknown, { key, unit }) =>
              mayEdit ? (
                input(key, unit)
              ) : (
                <span data-testid={`policy-value-${key}`}>
                  {show(key, policy?.[key])}
                  {defaults && policy && policy[key] !== defaults[key] && (
                    <Tag color="gold" style={{ marginLeft: 8 }}>
                      {t('changedFromDefault')}
                    </Tag>
                  )}
                </span>
              ),
          },
          { title: t('defaultValue'), key: 'default', width: 130, render: (_: unknown, { key }) => <span data-testid={`policy-default-${key}`}>{show(key, defaults?.[key])}</span> },
          {
            title: t('meaning'),
            key: 'meaning',
            render: (_: unknown, { key }) => <Typography.Text type="secondary">{t(`policyHelp_${key}` as WordKey).replace('{max}', formatYuan(MAX_DAILY_LIMIT_FEN))}</Typography.Text>,
          },
        ]}
      />
      {saving && next?.success && policy && (
        <ReasonDialog
          title={t('menuPolicy')}
          summary={
            <span>
              {changed.map((key) => (
                <span key={key} style={{ display: 'block' }}>
                  {t(`policy_${key}` as WordKey)}：{show(key, policy[key])} → {show(key, next.data[key])}
                </span>
              ))}
            </span>
          }
          confirmLabel={t('save')}
          onCancel={() => setSaving(false)}
          onConfirm={async (reason) => {
            const answer = await client.call(putCampusPolicy, { body: { policy: next.data, reason } });
            setPolicy(answer);
            setDraft(toDraft(answer));
            setSaving(false);
            setSaved(true);
          }}
        />
      )}
    </Card>
  );
}
