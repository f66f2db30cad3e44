import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Keypad } from '../src/components/Keypad';

afterEach(cleanup);

const press = (keys: string) => {
  for (const key of keys) fireEvent.click(screen.getByTestId(`keypad-${key}`));
};

describe('the one keypad', () => {
  it('by default submits on the last digit (the consumption password) and starts afresh', () => {
    const submitted: string[] = [];
    render(<Keypad title="密码" onSubmit={(digits) => submitted.push(digits)} onCancel={() => undefined} />);
    expect(screen.queryByTestId('keypad-confirm')).toBeNull();
    press('12345');
    expect(submitted).toEqual([]);
    expect(screen.getByTestId('keypad-digits').textContent).toBe('●●●●●○');
    press('6');
    expect(submitted).toEqual(['123456']);
    expect(screen.getByTestId('keypad-digits').textContent).toBe('○○○○○○');
  });

  it('confirm: an amount of 1 to `length` digits shown as keyed, 确认 (or Enter) submits it and it stays to be corrected', () => {
    const submitted: string[] = [];
    render(<Keypad confirm masked={false} title="金额" prefix="¥" unit="元" length={3} onSubmit={(digits) => submitted.push(digits)} onCancel={() => undefined} />);
    const confirm = screen.getByTestId('keypad-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    press('5');
    expect(confirm.disabled).toBe(false);
    press('000'); // a fourth digit is not taken
    expect(screen.getByTestId('keypad-digits').textContent).toBe('¥500元');
    fireEvent.click(confirm);
    fireEvent.keyDown(window, { key: 'Backspace' });
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(submitted).toEqual(['500', '50']);
    expect(screen.getByTestId('keypad-digits').textContent).toBe('¥50元');
  });

  it('confirm with a password: 确认 only at minLength, the digits cleared after; disabled turns every key off, 取消 included', () => {
    const submitted: string[] = [];
    let cancelled = 0;
    const { rerender } = render(<Keypad confirm title="查询密码" minLength={6} length={6} onSubmit={(digits) => submitted.push(digits)} onCancel={() => (cancelled += 1)} />);
    press('12345');
    expect((screen.getByTestId('keypad-confirm') as HTMLButtonElement).disabled).toBe(true);
    press('6');
    fireEvent.click(screen.getByTestId('keypad-confirm'));
    expect(submitted).toEqual(['123456']);
    expect(screen.getByTestId('keypad-digits').textContent).toBe('○○○○○○');
    rerender(<Keypad confirm title="查询密码" minLength={6} length={6} disabled onSubmit={(digits) => submitted.push(digits)} onCancel={() => (cancelled += 1)} />);
    expect((screen.getByTestId('keypad-cancel') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(cancelled).toBe(0);
  });
});
