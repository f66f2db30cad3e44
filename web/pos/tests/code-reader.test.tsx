import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeReader, seenOnFrame } from '../src/components/CodeReader';

afterEach(cleanup);

function typeKeys(text: string) {
  for (const key of text) fireEvent.keyDown(window, { key });
}

describe('CodeReader (the USB scanner as a keyboard wedge)', () => {
  it('keeps the code exactly as read, spaces included, and delivers it once on Enter', () => {
    const codes: string[] = [];
    render(<CodeReader active camera={false} onCode={(c) => codes.push(c)} />);
    typeKeys('EC1 AB  C:D%');
    expect(codes).toEqual([]);
    fireEvent.keyDown(window, { key: 'Enter' });
    fireEvent.keyDown(window, { key: 'Enter' }); // a second Enter delivers nothing more
    expect(codes).toEqual(['EC1 AB  C:D%']);
    typeKeys('1345');
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(codes).toEqual(['EC1 AB  C:D%', '1345']);
  });

  it('ignores keys typed into a text field, and codes while not active', () => {
    const codes: string[] = [];
    const { rerender, getByTestId } = render(
      <>
        <input data-testid="field" />
        <CodeReader active={false} camera={false} onCode={(c) => codes.push(c)} />
      </>,
    );
    typeKeys('EC1XYZ');
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(codes).toEqual([]);
    rerender(
      <>
        <input data-testid="field" />
        <CodeReader active camera={false} onCode={(c) => codes.push(c)} />
      </>,
    );
    getByTestId('field').focus();
    typeKeys('12.5');
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(codes).toEqual([]);
    getByTestId('field').blur();
    typeKeys('EC1 OK');
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(codes).toEqual(['EC1 OK']);
    expect(document.body.textContent).toContain('请出示付款码');
  });

  it('forgets what was typed before it was armed (a password on the keypad) and after a pause no scanner makes', async () => {
    const codes: string[] = [];
    const { rerender } = render(<CodeReader active={false} camera={false} onCode={(c) => codes.push(c)} />);
    typeKeys('022218');
    rerender(<CodeReader active camera={false} onCode={(c) => codes.push(c)} />);
    typeKeys('EC1 A');
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(codes).toEqual(['EC1 A']);
    typeKeys('99');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    typeKeys('EC1 B');
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(codes).toEqual(['EC1 A', 'EC1 B']);
  });

  it('the camera delivers a code once while it stays in view; one seen before arming is delivered when armed', () => {
    let state = { text: '', at: 0 };
    const frame = (text: string, at: number, active: boolean) => {
      const seen = seenOnFrame(state, text, at, active);
      state = seen.delivered;
      return seen.deliver;
    };
    expect(frame('EC1 A', 1000, false)).toBe(false); // in view before the cashier armed the reader
    expect(frame('EC1 A', 1600, true)).toBe(true); // armed: delivered
    expect(frame('EC1 A', 1720, true)).toBe(false); // the next frames: the same code still in view
    expect(frame('EC1 A', 4000, false)).toBe(false);
    expect(frame('EC1 A', 6500, true)).toBe(false); // re-armed with the same code still held up: not again
    expect(frame('EC1 B', 6620, true)).toBe(true); // the phone refreshed its code
    expect(frame('EC1 B', 20_000, true)).toBe(true); // gone from view long enough: a new showing
  });
});
