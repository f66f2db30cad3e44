/**
 * The terminal's one digit keypad: large on-screen keys and the physical keyboard (digits,
 * Backspace, Escape = 取消). Two ways to finish an entry:
 * - by default it submits on the last of `length` digits (the consumption password after P----);
 * - `confirm`: 1 to `length` digits, submitted with 确认 or Enter (the kiosk, where DOMAIN.md wants
 *   every keyed entry confirmed; amounts and account numbers of any length up to `length`).
 * Test ids: `keypad`, `keypad-<digit>`, `keypad-back`, `keypad-clear`, `keypad-cancel`,
 * `keypad-confirm`, `keypad-digits`, `keypad-message`.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Typography } from 'antd';

export interface KeypadProps {
  title: string;
  /** Exactly this many digits (default 6); with `confirm`, at most this many. */
  length?: number;
  /** Submit with 确认 / Enter instead of on the last digit. */
  confirm?: boolean;
  /** With `confirm`: the fewest digits 确认 takes (default 1; a password passes its length). */
  minLength?: number;
  /** Show ● per digit instead of the digit (default true). */
  masked?: boolean;
  /** Shown before and after the digits, e.g. ¥ … 元 for an amount. */
  prefix?: string;
  unit?: string;
  /** The digits keyed so far (an amount or account number shown again to be corrected). */
  initial?: string;
  onSubmit(digits: string): void;
  onCancel?(): void;
  /** A line under the title, e.g. the reason a try failed. */
  message?: string | undefined;
  /** Every key off (a request is on its way), 取消 included. */
  disabled?: boolean;
  /** Show the title above the digits (default true; a caller short of height shows it elsewhere). */
  showTitle?: boolean;
}

export const KEY_STYLE = { minWidth: 72, height: 64, fontSize: 28, fontWeight: 600 } as const;
const LABELS: Record<string, string> = { clear: '清除', back: '退格', cancel: '取消', confirm: '确认' };

export function Keypad({ title, length = 6, confirm = false, minLength = 1, masked = true, prefix, unit, initial = '', onSubmit, onCancel, message, disabled = false, showTitle = true }: KeypadProps) {
  const [digits, setDigits] = useState(initial);
  const submitted = useRef(false);
  const complete = confirm ? digits.length >= minLength && digits.length <= length : digits.length === length;

  const press = useCallback(
    (key: string) => {
      if (disabled) return;
      setDigits((current) => {
        if (key === 'back') return current.slice(0, -1);
        if (key === 'clear') return '';
        if (current.length >= length) return current;
        return current + key;
      });
    },
    [disabled, length],
  );

  const cancel = useCallback(() => {
    if (!disabled) onCancel?.();
  }, [disabled, onCancel]);

  const confirmed = useCallback(() => {
    if (!confirm || disabled || !complete) return;
    onSubmit(digits);
    // A password is typed afresh after a refusal; an amount or an account number stays to be corrected.
    if (masked) setDigits('');
  }, [complete, confirm, digits, disabled, masked, onSubmit]);

  // Without 确认: all digits in, submit once, then start afresh (a wrong password is typed again).
  useEffect(() => {
    if (confirm) return;
    if (digits.length === length && !submitted.current) {
      submitted.current = true;
      onSubmit(digits);
      setDigits('');
    } else if (digits.length < length) submitted.current = false;
  }, [confirm, digits, length, onSubmit]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = document.activeElement;
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return;
      if (/^[0-9]$/.test(e.key)) press(e.key);
      else if (e.key === 'Backspace') press('back');
      else if (e.key === 'Enter' && confirm) confirmed();
      else if (e.key === 'Escape') cancel();
      else return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [press, confirm, confirmed, cancel]);

  const onKeyClick = (key: string) => (key === 'cancel' ? cancel() : key === 'confirm' ? confirmed() : press(key));
  const shown = masked || !confirm ? Array.from({ length }, (_, i) => (i < digits.length ? (masked ? '●' : digits[i]) : '○')).join('') : digits || ' ';
  const header = (
    <>
      {showTitle && (
        <Typography.Text strong style={{ fontSize: 22, textAlign: 'center' }}>
          {title}
        </Typography.Text>
      )}
      {message && (
        <Typography.Text type="danger" data-testid="keypad-message" style={{ fontSize: 18, textAlign: 'center' }}>
          {message}
        </Typography.Text>
      )}
      <div data-testid="keypad-digits" aria-label={title} style={{ fontSize: confirm ? 34 : 32, letterSpacing: masked ? 12 : 2, minHeight: 44, lineHeight: '44px', fontFamily: 'monospace', fontWeight: confirm ? 700 : undefined }}>
        {prefix}
        {shown}
        {unit && <span style={{ fontSize: 22, marginLeft: 6 }}>{unit}</span>}
      </div>
    </>
  );

  if (confirm) {
    // Four columns: 退格, 清除 and 取消 down the right, 确认 wide beside the 0.
    const key = (id: string, primary = false) => (
      <Button
        key={id}
        size="large"
        type={primary ? 'primary' : 'default'}
        style={{ ...KEY_STYLE, width: '100%', ...(LABELS[id] ? { fontSize: id === 'confirm' ? 22 : 20 } : {}) }}
        disabled={disabled || (id === 'confirm' && !complete)}
        data-testid={`keypad-${id}`}
        onClick={() => onKeyClick(id)}
      >
        {LABELS[id] ?? id}
      </Button>
    );
    return (
      <div data-testid="keypad" style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 6, width: '100%', maxWidth: 380 }}>
        {header}
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(4, 1fr)', gap: 6, width: '100%' }}>
          {['1', '2', '3', 'back', '4', '5', '6', 'clear', '7', '8', '9', 'cancel'].map((id) => key(id))}
          <div style={{ gridColumn: 'span 2' }}>{key('0')}</div>
          <div style={{ gridColumn: 'span 2' }}>{key('confirm', true)}</div>
        </div>
      </div>
    );
  }

  // 取消 takes the clear key's place: four rows of 64 px keys fit an 800×480 screen.
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', onCancel ? 'cancel' : 'clear', '0', 'back'];
  return (
    <div data-testid="keypad" style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 8 }}>
      {header}
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(3, minmax(72px, 96px))', gap: 8 }}>
        {keys.map((key) => (
          <Button key={key} size="large" style={{ ...KEY_STYLE, ...(LABELS[key] ? { fontSize: 22 } : {}) }} disabled={disabled} data-testid={`keypad-${key}`} onClick={() => onKeyClick(key)}>
            {LABELS[key] ?? key}
          </Button>
        ))}
      </div>
    </div>
  );
}
