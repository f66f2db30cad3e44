/**
 * The kiosk's keypad: every keyed entry (a password, an account number, an amount) is confirmed
 * with 确认 (DOMAIN.md, "Self-service kiosk"), unlike the POS keypad that submits on the sixth digit.
 * On-screen keys and the physical keyboard (digits, Backspace, Enter = 确认, Escape = 取消). The
 * test ids are the shared keypad's (`keypad`, `keypad-<digit>`, `keypad-digits`, `keypad-message`)
 * plus `keypad-confirm`.
 */
import { useCallback, useEffect, useState } from 'react';
import { Button, Typography } from 'antd';
import { KEY_STYLE } from '../../components/Keypad';

export interface EntryPadProps {
  title: string;
  /** Passwords show ● per digit and need exactly maxLength digits. */
  masked?: boolean;
  minLength?: number;
  maxLength?: number;
  /** Shown before the digits, e.g. ¥ for an amount; with unit after (元). */
  prefix?: string;
  unit?: string;
  initial?: string;
  message?: string | undefined;
  disabled?: boolean;
  onConfirm(digits: string): void;
  onCancel(): void;
}

export function EntryPad({ title, masked = false, minLength = 1, maxLength = 6, prefix, unit, initial = '', message, disabled = false, onConfirm, onCancel }: EntryPadProps) {
  const [digits, setDigits] = useState(initial);
  const complete = digits.length >= minLength && digits.length <= maxLength;

  const press = useCallback(
    (key: string) => {
      if (disabled) return;
      setDigits((current) => (key === 'back' ? current.slice(0, -1) : key === 'clear' ? '' : current.length >= maxLength ? current : current + key));
    },
    [disabled, maxLength],
  );
  const confirm = useCallback(() => {
    if (disabled || !complete) return;
    onConfirm(digits);
    // A password is typed afresh after a refusal; an amount or an account number stays to be corrected.
    if (masked) setDigits('');
  }, [complete, digits, disabled, masked, onConfirm]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = document.activeElement;
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return;
      if (/^[0-9]$/.test(e.key)) press(e.key);
      else if (e.key === 'Backspace') press('back');
      else if (e.key === 'Enter') confirm();
      else if (e.key === 'Escape') onCancel();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [press, confirm, onCancel]);

  const shown = masked ? Array.from({ length: maxLength }, (_, i) => (i < digits.length ? '●' : '○')).join('') : digits || ' ';
  const key = (id: string, label: string, extra: Record<string, unknown> = {}) => (
    <Button key={id} size="large" style={{ ...KEY_STYLE, width: '100%' }} disabled={disabled} data-testid={`keypad-${id}`} onClick={() => (id === 'confirm' ? confirm() : id === 'cancel' ? onCancel() : press(id))} {...extra}>
      {label}
    </Button>
  );
  return (
    <div data-testid="keypad" style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 6, width: '100%', maxWidth: 380 }}>
      <Typography.Text strong style={{ fontSize: 22 }}>
        {title}
      </Typography.Text>
      {message && (
        <Typography.Text type="danger" data-testid="keypad-message" style={{ fontSize: 18, textAlign: 'center' }}>
          {message}
        </Typography.Text>
      )}
      <div data-testid="keypad-digits" style={{ fontSize: 34, letterSpacing: masked ? 12 : 2, minHeight: 44, fontFamily: 'monospace', fontWeight: 700 }}>
        {prefix}
        {shown}
        {unit && <span style={{ fontSize: 22, marginLeft: 6 }}>{unit}</span>}
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(4, 1fr)', gap: 6, width: '100%' }}>
        {key('1', '1')}
        {key('2', '2')}
        {key('3', '3')}
        {key('back', '退格', { style: { ...KEY_STYLE, width: '100%', fontSize: 20 } })}
        {key('4', '4')}
        {key('5', '5')}
        {key('6', '6')}
        {key('clear', '清除', { style: { ...KEY_STYLE, width: '100%', fontSize: 20 } })}
        {key('7', '7')}
        {key('8', '8')}
        {key('9', '9')}
        {key('cancel', '取消', { style: { ...KEY_STYLE, width: '100%', fontSize: 20 } })}
        <div style={{ gridColumn: 'span 2' }}>{key('0', '0')}</div>
        <div style={{ gridColumn: 'span 2' }}>{key('confirm', '确认', { type: 'primary', disabled: disabled || !complete, style: { ...KEY_STYLE, width: '100%', fontSize: 22 } })}</div>
      </div>
    </div>
  );
}
