/** First start: the installer types the terminal id and the card centre's one-time code; the secret it buys is kept in the store, never shown. */
import { useState } from 'react';
import { Button, Input, Typography } from 'antd';
import { activateTerminal, TerminalRefusal, type TerminalStore } from '@shared/terminal-client';

export interface ActivationProps {
  store: TerminalStore;
  baseUrl: string;
  fetch?: typeof fetch;
  onActivated(): void;
}

export function Activation({ store, baseUrl, fetch, onActivated }: ActivationProps) {
  const [terminalId, setTerminalId] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const activate = async () => {
    if (!terminalId.trim() || !code.trim()) {
      setError('请输入终端编号和激活码');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await activateTerminal({ baseUrl, store, ...(fetch ? { fetch } : {}) }, terminalId.trim(), code.trim());
      onActivated();
    } catch (e) {
      setError(e instanceof TerminalRefusal ? e.zh : '无法连接服务器，请检查网络后重试');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ height: '100%', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
      <div style={{ width: 'min(92vw, 440px)', display: 'flex', flexDirection: 'column', gap: 14 }}>
        <Typography.Title level={2} style={{ margin: 0, textAlign: 'center' }}>
          终端激活
        </Typography.Title>
        <Typography.Text type="secondary" style={{ textAlign: 'center' }}>
          请输入卡务中心发放的终端编号和一次性激活码
        </Typography.Text>
        <Input size="large" data-testid="terminal-id" placeholder="终端编号，如 POS-M001-01" value={terminalId} autoComplete="off" onChange={(e) => setTerminalId(e.target.value)} style={{ height: 56, fontSize: 20 }} />
        <Input
          size="large"
          data-testid="activation-code"
          placeholder="激活码"
          value={code}
          autoComplete="off"
          onChange={(e) => setCode(e.target.value)}
          onPressEnter={() => void activate()}
          style={{ height: 56, fontSize: 20 }}
        />
        {error && (
          <Typography.Text type="danger" data-testid="activation-error" style={{ fontSize: 18 }}>
            {error}
          </Typography.Text>
        )}
        <Button type="primary" size="large" data-testid="activate" loading={busy} onClick={() => void activate()} style={{ height: 64, fontSize: 24 }}>
          激活
        </Button>
      </div>
    </div>
  );
}
