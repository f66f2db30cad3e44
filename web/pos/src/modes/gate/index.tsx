/**
 * Gate mode (library entrance, clinic, dormitory): the holder shows the identity code, the gate opens
 * or refuses with the reason. Online the server decides (POST /v1/pos/identity-scans); offline the
 * bundle does (client.checkIdentityOffline: signature, window, blacklist).
 *
 * data-testids: `gate-status` (data-status idle|checking|open|refused), `gate-reason` (the refusal in
 * Chinese, data-code = the reason's code), `gate-holder` (name and type when open).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { identityScan } from '@shared/api/pos';
import { TerminalUnreachable } from '@shared/terminal-client';
import { CodeReader } from '../../components/CodeReader';
import { beep, startAlarm } from '../../feedback';
import { useTerminal } from '../../terminal-context';
import { reasonZh } from '../../format';
import { failureCode, failureText } from '../kiosk/failure';

/** How long the result stays on screen before the gate waits for the next code. */
const RESULT_MS = 8000;

/** The gate's own words for why a card may not pass (the payment wording of the error table says 消费). */
const GATE_REASONS: Record<string, string> = {
  CARD_LOST: '卡已挂失',
  CARD_FROZEN: '卡已冻结',
  CARD_CANCELLED: '账户已注销',
  CARD_EXPIRED: '卡已过期',
  OFFLINE_BLACKLISTED: '卡已挂失、冻结或注销',
};

const CARD_TYPE_ZH: Record<string, string> = { staff: '教职工', student: '学生', employee: '合同员工', temporary: '临时卡', merchant: '商户', family: '家属' };

export function gateReason(code: string): string {
  return GATE_REASONS[code] ?? reasonZh(code) ?? code;
}

type GateState =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'open'; holder: string; detail: string }
  | { status: 'refused'; reason: string; code?: string | undefined; holder?: string };

export function GateMode() {
  const { client, online, reportUnreachable } = useTerminal();
  const [state, setState] = useState<GateState>({ status: 'idle' });
  const stopAlarm = useRef<(() => void) | undefined>(undefined);
  const resetTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const show = useCallback((next: GateState) => {
    setState(next);
    clearTimeout(resetTimer.current);
    if (next.status === 'open') beep();
    if (next.status === 'refused') stopAlarm.current = startAlarm();
    if (next.status === 'open' || next.status === 'refused') {
      resetTimer.current = setTimeout(() => {
        stopAlarm.current?.();
        setState({ status: 'idle' });
      }, RESULT_MS);
    }
  }, []);

  useEffect(
    () => () => {
      clearTimeout(resetTimer.current);
      stopAlarm.current?.();
    },
    [],
  );

  const checkOffline = useCallback(
    async (token: string) => {
      const result = await client.checkIdentityOffline(token);
      if (result.allowed) show({ status: 'open', holder: '离线核验通过', detail: result.accountNo ? `账号 ${result.accountNo}` : '' });
      else show({ status: 'refused', reason: gateReason(result.reason ?? 'TOKEN_INVALID'), code: result.reason });
    },
    [client, show],
  );

  const onCode = useCallback(
    async (token: string) => {
      // The next person's code stops the last refusal's alarm.
      stopAlarm.current?.();
      setState({ status: 'checking' });
      if (!online) return checkOffline(token);
      try {
        const answer = await client.call(identityScan, { body: { token } });
        const type = CARD_TYPE_ZH[answer.cardType] ?? answer.cardType;
        if (answer.allowed) show({ status: 'open', holder: answer.holderName, detail: `${type} · ${answer.personId}` });
        else show({ status: 'refused', reason: gateReason(answer.reason ?? 'CARD_FROZEN'), code: answer.reason, holder: answer.holderName });
      } catch (error) {
        if (error instanceof TerminalUnreachable) {
          reportUnreachable();
          return checkOffline(token);
        }
        show({ status: 'refused', reason: failureText(error), code: failureCode(error) });
      }
    },
    [client, online, checkOffline, reportUnreachable, show],
  );

  const colors = { idle: '#1f3b63', checking: '#1f3b63', open: '#1e8e3e', refused: '#c5221f' } as const;
  return (
    // The status beside the camera, not above it: the verdict keeps the whole height at 800×480.
    <div style={{ display: 'flex', height: '100%', minHeight: 0, gap: 12 }}>
      <div
        data-testid="gate-status"
        data-status={state.status}
        style={{
          flex: 1,
          minWidth: 0,
          borderRadius: 16,
          background: colors[state.status],
          color: '#fff',
          display: 'flex',
          flexDirection: 'column',
          alignItems: 'center',
          justifyContent: 'center',
          textAlign: 'center',
          padding: 16,
        }}
      >
        {state.status === 'idle' && (
          <>
            <div style={{ fontSize: 'clamp(40px, 9vh, 72px)', fontWeight: 700 }}>请出示身份码</div>
            <div style={{ fontSize: 22, opacity: 0.85, marginTop: 8 }}>{online ? '打开校园码的身份码，对准摄像头或扫码枪' : '脱机核验中（网络不可用）'}</div>
          </>
        )}
        {state.status === 'checking' && <div style={{ fontSize: 'clamp(36px, 8vh, 64px)', fontWeight: 700 }}>正在核验…</div>}
        {state.status === 'open' && (
          <>
            <div style={{ fontSize: 'clamp(64px, 16vh, 128px)', fontWeight: 800, lineHeight: 1.1 }}>开门</div>
            <div data-testid="gate-holder" style={{ fontSize: 'clamp(28px, 6vh, 44px)', marginTop: 8 }}>
              {state.holder}
            </div>
            {state.detail && <div style={{ fontSize: 24, opacity: 0.9 }}>{state.detail}</div>}
          </>
        )}
        {state.status === 'refused' && (
          <>
            <div style={{ fontSize: 'clamp(56px, 14vh, 112px)', fontWeight: 800, lineHeight: 1.1 }}>禁止通行</div>
            <div data-testid="gate-reason" data-code={state.code ?? ''} style={{ fontSize: 'clamp(28px, 6vh, 44px)', marginTop: 8 }}>
              {state.reason}
            </div>
            {state.holder && <div style={{ fontSize: 24, opacity: 0.9 }}>{state.holder}</div>}
          </>
        )}
      </div>
      <div style={{ flex: '0 0 min(32%, 300px)', display: 'flex', alignItems: 'center' }}>
        <CodeReader active={state.status !== 'checking'} hint="请出示身份码" onCode={(text) => void onCode(text)} />
      </div>
    </div>
  );
}
