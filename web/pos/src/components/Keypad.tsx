/**
 * A digit keypad for passwords (the consumption password after P----, the kiosk's query password):
 * large on-screen keys, and the physical keyboard's digits, Backspace, Enter and Escape. Submits
 * when all digits are in.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Typography } from 'antd';

export interface KeypadProps {
  title: string;
  /** How many digits (default 6). */
  length?: number;
  /** Show ● per digit instead of the digit (default true). */
  masked?: boolean;
  onSubmit(digits: string): void;
  onCancel?(): void;
  /** A line under the title, e.g. the reason a try failed. */
  message?: string;
  disabled?: boolean;
  /** Show the title above the digits (default true; a caller short of height shows it elsewhere). */
  showTitle?: boolean;
}

export const KEY_STYLE = { minWidth: 72, height: 64, fontSize: 28, fontWeight: 600 } as const;

export function Keypad({ title, length = 6, masked = true, onSubmit, onCancel, message, disabled = false, showTitle = true }: KeypadProps) {
  const [digits, setDigits] = useState('');
  const submitted = useRef(false);

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

  // All digits in: submit once, then start afresh (a wrong password is typed again).
  useEffect(() => {
    if (digits.length === length && !submitted.current) {
      submitted.current = true;
      onSubmit(digits);
      setDigits('');
    } else if (digits.length < length) submitted.current = false;
  }, [digits, length, onSubmit]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = document.activeElement;
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return;
      if (/^[0-9]$/.test(e.key)) press(e.key);
      else if (e.key === 'Backspace') press('back');
      else if (e.key === 'Escape') onCancel?.();
      else return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [press, onCancel]);

  // 取消 takes the clear key's place: four rows of 64 px keys fit an 800×480 screen.
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', onCancel ? 'cancel' : 'clear', '0', 'back'];
  const labels: Record<string, string> = { clear: '清除', back: '退格', cancel: '取消' };
  return (
    <div data-testid="keypad" style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 8 }}>
      {showTitle && (
        <Typography.Text strong style={{ fontSize: 22 }}>
          {title}
        </Typography.Text>
      )}
      {message && (
        <Typography.Text type="danger" data-testid="keypad-message" style={{ fontSize: 18 }}>
          {message}
        </Typography.Text>
      )}
      <div data-testid="keypad-digits" aria-label={title} style={{ fontSize: 32, letterSpacing: 12, minHeight: 44, lineHeight: '44px', fontFamily: 'monospace' }}>
        {Array.from({ length }, (_, i) => (i < digits.length ? (masked ? '●' : digits[i]) : '○')).join('')}
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(3, minmax(72px, 96px))', gap: 8 }}>
        {keys.map((key) => (
          <Button
            key={key}
            size="large"
            style={{ ...KEY_STYLE, ...(labels[key] ? { fontSize: 22 } : {}) }}
            disabled={disabled && key !== 'cancel'}
            data-testid={`keypad-${key}`}
            onClick={() => (key === 'cancel' ? onCancel?.() : press(key))}
          >
            {labels[key] ?? key}
          </Button>
        ))}
      </div>
    </div>
  );
}
