/** The kiosk's 拾到校园卡 screen (issue 18 lost and found): the printed number keyed in, one answer whatever exists, the pause after too many reports. */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { kioskReportFoundCard } from '@shared/api/lost-found';
import { ERRORS } from '@shared/errors';
import { stopAlarm } from '../src/feedback';
import { KioskMode } from '../src/modes/kiosk';
import { fakeApi, TERMINAL } from './fake-api';
import { contract, renderMode } from './modes-harness';

afterEach(() => {
  cleanup();
  stopAlarm();
});

const step = () => screen.getByTestId('kiosk-step').dataset.step;
const atStep = (expected: string) => waitFor(() => expect(step()).toBe(expected));
function enter(digits: string) {
  for (const d of digits) fireEvent.click(screen.getByTestId(`keypad-${d}`));
  fireEvent.click(screen.getByTestId('keypad-confirm'));
}

describe('kiosk: 拾到校园卡', () => {
  it('without a card in the slot: the printed number, then the thanks and where to leave the card', async () => {
    const api = fakeApi({ 'POST /v1/pos/kiosk/found-cards': (request) => contract(kioskReportFoundCard, request, { received: true, message: '谢谢，已通知失主', handInAt: TERMINAL.place }) });
    await renderMode(<KioskMode />, { kind: 'kiosk', api });
    expect(step()).toBe('insert');
    fireEvent.click(screen.getByTestId('kiosk-menu-found-card'));
    await atStep('found-card');
    expect(screen.getByTestId('kiosk-step').textContent).toContain('拾到校园卡：请输入卡面上的卡号');
    enter('1234'); // too short: 确认 takes nothing
    expect(api.sent('POST /v1/pos/kiosk/found-cards')).toHaveLength(0);
    fireEvent.click(screen.getByTestId('keypad-clear'));
    enter('2026000123');
    await atStep('done');
    expect(api.sent('POST /v1/pos/kiosk/found-cards')[0]!.body).toEqual({ cardNumber: '2026000123' });
    const result = screen.getByTestId('kiosk-result');
    expect(result.dataset.status).toBe('ok');
    expect(result.textContent).toContain('谢谢，已通知失主');
    expect(result.textContent).toContain(`请将卡片交到 ${TERMINAL.place}`);
    fireEvent.click(screen.getByTestId('kiosk-back'));
    await atStep('insert');
  });

  it('after too many reports: the pause in Chinese, nothing else', async () => {
    const api = fakeApi({ 'POST /v1/pos/kiosk/found-cards': () => ({ refuse: 'FOUND_CARD_REPORTS_LIMITED', params: { minutes: 60 } }) });
    await renderMode(<KioskMode />, { kind: 'kiosk', api });
    fireEvent.click(screen.getByTestId('kiosk-menu-found-card'));
    await atStep('found-card');
    enter('2026000123');
    await atStep('done');
    const result = screen.getByTestId('kiosk-result');
    expect([result.dataset.status, result.dataset.code]).toEqual(['refused', 'FOUND_CARD_REPORTS_LIMITED']);
    expect(result.textContent).toContain(ERRORS.FOUND_CARD_REPORTS_LIMITED.zh.replace('{minutes}', '60'));
  });

  it('取消 goes back to 请插卡 without sending anything', async () => {
    const api = fakeApi();
    await renderMode(<KioskMode />, { kind: 'kiosk', api });
    fireEvent.click(screen.getByTestId('kiosk-menu-found-card'));
    await atStep('found-card');
    fireEvent.click(screen.getByTestId('keypad-cancel'));
    await atStep('insert');
    expect(api.sent('POST /v1/pos/kiosk/found-cards')).toHaveLength(0);
  });
});
