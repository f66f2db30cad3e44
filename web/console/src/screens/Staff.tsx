/**
 * Staff (人员管理, administrators; the auditor reads): the card centre's staff members, a new one
 * with a role and a first password (the rule shown and checked as it is typed; the API checks it
 * again), and disabling one (their sessions stop at once). Each action with a reason.
 *
 * data-testids: staff-table, staff-row-<username>, staff-create, staff-disable-<username>, staff-error,
 *   staff-field-username, staff-field-role, staff-field-password, staff-password-rule, staff-rule-<rule>
 */
import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { z } from 'zod';
import { staffUsername } from '@shared/api/admin';
import { createStaffRoute, disableStaffRoute, listStaffRoute } from '@shared/api/console';
import { STAFF_ROLES, type StaffRole } from '@shared/vocabulary';
import { ReasonDialog } from '../components/ReasonDialog';
import { allowed, ErrorAlert, timeText, useConsole } from '../console-context';
import { useI18n, type WordKey } from '../i18n';

type Member = z.output<typeof listStaffRoute.response>['staff'][number];

/** The API's staff password rule (functions/domain/staff.ts staffPasswordProblem), shown as a checklist while it is typed. */
export function passwordRules(password: string, username: string): { rule: 'length' | 'different' | 'username' | 'spaces'; ok: boolean }[] {
  return [
    { rule: 'length', ok: [...password].length >= 10 && [...password].length <= 128 },
    { rule: 'different', ok: new Set(password).size >= 4 },
    { rule: 'username', ok: username.trim() === '' || !password.toLowerCase().includes(username.trim().toLowerCase()) },
    { rule: 'spaces', ok: password !== '' && password.trim() === password },
  ];
}

export function Staff() {
  const { client, session } = useConsole();
  const { t, name } = useI18n();
  const [staff, setStaff] = useState<Member[]>([]);
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const [disabling, setDisabling] = useState<Member>();

  const load = useCallback(async () => {
    try {
      setStaff((await client.call(listStaffRoute, {})).staff);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  }, [client]);
  useEffect(() => {
    void load();
  }, [load]);

  const mayCreate = allowed(createStaffRoute, session.role);
  const mayDisable = allowed(disableStaffRoute, session.role);
  return (
    <Card
      title={t('menuStaff')}
      extra={
        <Button type="primary" data-testid="staff-create" disabled={!mayCreate} onClick={() => setCreating(true)}>
          {t('createStaff')}
        </Button>
      }
    >
      <ErrorAlert error={error} testId="staff-error" />
      <Table
        data-testid="staff-table"
        size="small"
        rowKey="username"
        pagination={false}
        dataSource={staff}
        onRow={(row) => ({ 'data-testid': `staff-row-${row.username}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('username'), dataIndex: 'username', render: (v: string) => <Typography.Text strong={v === session.username}>{v}</Typography.Text> },
          { title: t('role'), dataIndex: 'role', render: (v: string) => name(v) },
          { title: t('status'), dataIndex: 'status', render: (v: string) => <Tag color={v === 'active' ? 'green' : 'default'}>{v === 'active' ? name('active') : t('disabled')}</Tag> },
          { title: t('createdAt'), dataIndex: 'createdAt', render: (v: string) => timeText(v) },
          {
            title: t('operations'),
            key: 'actions',
            render: (_: unknown, member: Member) => (
              <Button size="small" danger data-testid={`staff-disable-${member.username}`} disabled={!mayDisable || member.status === 'disabled' || member.username === session.username} onClick={() => setDisabling(member)}>
                {t('disableStaff')}
              </Button>
            ),
          },
        ]}
      />
      {creating && (
        <CreateDialog
          onClose={(created) => {
            setCreating(false);
            if (created) void load();
          }}
        />
      )}
      {disabling && (
        <ReasonDialog
          title={`${t('disableStaff')} · ${disabling.username}`}
          summary={t('whatDisableStaff')}
          danger
          onCancel={() => setDisabling(undefined)}
          onConfirm={async (reason) => {
            await client.call(disableStaffRoute, { params: { username: disabling.username }, body: { reason } });
            setDisabling(undefined);
            void load();
          }}
        />
      )}
    </Card>
  );
}

function CreateDialog({ onClose }: { onClose(created?: Member): void }) {
  const { client } = useConsole();
  const { t, name } = useI18n();
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<StaffRole>('operator');
  const [password, setPassword] = useState('');
  const rules = passwordRules(password, username);
  const usernameOk = staffUsername.safeParse(username.trim()).success;
  return (
    <ReasonDialog
      title={t('createStaff')}
      summary={t('whatCreateStaff')}
      ready={usernameOk && rules.every((r) => r.ok)}
      onCancel={() => onClose()}
      onConfirm={async (reason) => onClose(await client.call(createStaffRoute, { body: { username: username.trim(), role, password, reason } }))}
    >
      <Typography.Text strong>{t('username')}</Typography.Text>
      <Input data-testid="staff-field-username" value={username} onChange={(e) => setUsername(e.target.value)} placeholder="clerk.zhang" status={username !== '' && !usernameOk ? 'error' : undefined} autoComplete="off" />
      {username !== '' && !usernameOk && <Typography.Text type="danger">{t('usernameRule')}</Typography.Text>}
      <Typography.Text strong>{t('role')}</Typography.Text>
      <Select data-testid="staff-field-role" value={role} onChange={setRole} style={{ width: '100%' }} options={STAFF_ROLES.map((value) => ({ value, label: name(value) }))} />
      <Typography.Text strong>{t('firstPassword')}</Typography.Text>
      <Input.Password data-testid="staff-field-password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      <Space orientation="vertical" size={0} data-testid="staff-password-rule">
        <Typography.Text type="secondary">{t('firstPasswordHint')}</Typography.Text>
        {rules.map(({ rule, ok }) => (
          <Typography.Text key={rule} data-testid={`staff-rule-${rule}`} data-ok={String(ok)} type={ok ? 'success' : password === '' ? 'secondary' : 'danger'}>
            {ok ? '✓' : '·'} {t(`passwordRule_${rule}` as WordKey)}
          </Typography.Text>
        ))}
      </Space>
    </ReasonDialog>
  );
}
