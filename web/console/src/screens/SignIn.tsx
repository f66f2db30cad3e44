/**
 * Staff sign-in (POST /v1/admin/sessions): username and password; a refusal (wrong password, locked)
 * in the server's words.
 *
 * data-testids: sign-in-username, sign-in-password, sign-in-submit, sign-in-error
 */
import { useState } from 'react';
import { Button, Card, Form, Input, Segmented, Typography } from 'antd';
import type { ConsoleClient, StaffSession } from '../api';
import { ErrorAlert } from '../console-context';
import { useI18n, type Lang } from '../i18n';

export function SignIn({ client, onSignedIn }: { client: ConsoleClient; onSignedIn(session: StaffSession): void }) {
  const { t, lang, setLang } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function submit() {
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await client.signIn(username.trim(), password));
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(160deg, #001529 0%, #0a3d6e 100%)' }}>
      <Card style={{ width: 380 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 16 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('signInTitle')}
          </Typography.Title>
          <Segmented<Lang> size="small" value={lang} onChange={setLang} options={[{ label: '中', value: 'zh' }, { label: 'EN', value: 'en' }]} />
        </div>
        <ErrorAlert error={error} testId="sign-in-error" />
        <Form layout="vertical" onFinish={() => void submit()}>
          <Form.Item label={t('username')}>
            <Input data-testid="sign-in-username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
          </Form.Item>
          <Form.Item label={t('password')}>
            <Input.Password data-testid="sign-in-password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="sign-in-submit">
            {t('signIn')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
