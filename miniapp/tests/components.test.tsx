/** Components and pages in jsdom, with Taro's React components and a scripted API. */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import jsQR from 'jsqr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QR_TOKEN_PREFIX } from '../../shared/qr-token';
import { ErrorNote } from '../src/components/Feedback';
import { qrRuns } from '../src/components/QrCode';
import { ApiError, type HolderAccount } from '../src/lib/api';
import { answerRequests, navigations, resetTaro, type RequestAnswer } from './taro-shim';

const account: HolderAccount = {
  accountNo: '10002',
  personId: '2024000002',
  holderName: '江凤伟',
  cardType: 'student',
  status: 'active',
  balanceFen: 12_600,
  transitionalFen: 2_000,
  smallWalletFen: 350,
  dailyLimitFen: 5_000,
  spentTodayFen: 0,
  cards: [],
  policy: { replacementFeeFen: 2_000, selfReplacementMinBalanceFen: 2_000, defaultDailyLimitFen: 5_000, maxDailyLimitFen: 60_000, onlineTopupMinFen: 100, onlineTopupMaxFen: 99_900, passwordLockMinutes: 30, smallWalletCapFen: 1_000 },
};

beforeEach(() => resetTaro());
afterEach(() => cleanup());

describe('the QR code', () => {
  it('draws a campus token that a scanner reads back', () => {
    const token = `${QR_TOKEN_PREFIX}${'ABC123 $%*+-./:'.repeat(8).slice(0, 111)}`;
    const { size, rows } = qrRuns(token);
    expect(size).toBe(33); // version 4 at level L, as docs/qr-token.md promises
    const scale = 4;
    const side = (size + 8) * scale;
    const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
    rows.forEach((runs, r) => {
      for (const [start, length] of runs) {
        for (let c = start; c < start + length; c++) {
          for (let y = 0; y < scale; y++) {
            for (let x = 0; x < scale; x++) {
              const at = (((r + 4) * scale + y) * side + (c + 4) * scale + x) * 4;
              pixels.fill(0, at, at + 3);
            }
          }
        }
      }
    });
    expect(jsQR(pixels, side, side)?.data).toBe(token);
  });
});

describe('feedback', () => {
  it('shows an API error in the holder’s language, never its code', () => {
    render(<ErrorNote lang="en" error={new ApiError('CARD_LOST', 409, { zh: '卡片已挂失', en: 'The card is reported lost' })} />);
    expect(screen.getByRole('alert').textContent).toBe('The card is reported lost');
    expect(document.body.textContent).not.toContain('CARD_LOST');
  });
});

describe('pages', () => {
  it('sign-in checks the form before sending, then signs in and goes home', async () => {
    const requests: string[] = [];
    answerRequests(async (request) => {
      requests.push(`${request.method} ${request.url}`);
      return { statusCode: 200, header: {}, data: { session: 's', accountNo: '10002', mustChangePassword: true } };
    });
    const { default: Login } = await import('../src/pages/login/index');
    const view = render(<Login />);
    fireEvent.click(view.container.querySelector('#login-submit')!);
    await waitFor(() => expect(view.container.querySelectorAll('.field__problem')).toHaveLength(2));
    expect(requests).toEqual([]);

    fireEvent.input(view.container.querySelector('#field-personId input, input[name="personId"]')!, { target: { value: '2024000002' } });
    fireEvent.input(view.container.querySelector('#field-queryPassword input, input[name="queryPassword"]')!, { target: { value: '070022' } });
    await act(async () => {
      fireEvent.click(view.container.querySelector('#login-submit')!);
    });
    await waitFor(() => expect(navigations).toContain('/pages/index/index'));
    expect(requests).toEqual(['POST /v1/auth/password']);
  });

  it('home shows balances and a campus code; a lost card shows its state instead', async () => {
    const store = await import('../src/lib/store');
    store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
    let status: HolderAccount['status'] = 'active';
    answerRequests(async (request): Promise<RequestAnswer> => {
      if (request.url.endsWith('/v1/holder/account')) return { statusCode: 200, header: { date: new Date().toUTCString() }, data: { ...account, status } };
      if (request.url.endsWith('/v1/holder/device-keys')) return { statusCode: 201, header: {}, data: { keyId: 42, serverTimeMs: Date.now() } };
      return { statusCode: 404, header: {}, data: { code: 'ROUTE_NOT_FOUND', message: { zh: '接口不存在', en: 'No such endpoint' } } };
    });
    const { default: Home } = await import('../src/pages/index/index');
    const active = render(<Home />);
    await waitFor(() => expect(active.container.querySelector('#balance')?.textContent).toBe('¥126.00'));
    expect(active.container.querySelector('#transitional')?.textContent).toBe('¥20.00');
    expect(active.container.querySelector('#small-wallet')?.textContent).toBe('¥3.50');
    await waitFor(() => expect(active.container.querySelector('.qr')).not.toBeNull());
    expect(store.getState().deviceKey?.keyId).toBe(42);
    active.unmount();

    status = 'lost';
    const lost = render(<Home />);
    await waitFor(() => expect(lost.container.querySelector('#card-state')?.textContent).toContain('已挂失'));
    expect(lost.container.querySelector('.qr')).toBeNull();
  });

  // A campus with its own numbers: 15 yuan a card, 30 yuan to replace at a kiosk, at most 300 yuan a day.
  const campus = { ...account, balanceFen: 2_500, policy: { ...account.policy, replacementFeeFen: 1_500, selfReplacementMinBalanceFen: 3_000, maxDailyLimitFen: 30_000 } };

  it('the card page shows the fee and the kiosk minimum the server sends', async () => {
    const store = await import('../src/lib/store');
    store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
    answerRequests(async (request): Promise<RequestAnswer> => {
      if (request.url.endsWith('/v1/holder/account')) return { statusCode: 200, header: {}, data: campus };
      if (request.url.endsWith('/v1/holder/card-replacement')) return { statusCode: 200, header: {}, data: {} };
      return { statusCode: 404, header: {}, data: { code: 'ROUTE_NOT_FOUND', message: { zh: '接口不存在', en: 'No such endpoint' } } };
    });
    const { default: Card } = await import('../src/pages/card/index');
    const view = render(<Card />);
    await waitFor(() => expect(view.container.querySelector('#replacement')?.textContent).toContain('补卡工本费 ¥15.00'));
    expect(view.container.querySelector('#replacement')?.textContent).toContain('需余额不少于 ¥30.00');
    expect(view.container.querySelector('#replacement')?.textContent).toContain('您的余额 ¥25.00 不足 ¥30.00');
  });

  it('the settings page checks the daily limit against the campus maximum the server sends', async () => {
    const store = await import('../src/lib/store');
    store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
    const requests: string[] = [];
    answerRequests(async (request): Promise<RequestAnswer> => {
      requests.push(`${request.method} ${request.url}`);
      if (request.url.endsWith('/v1/holder/account')) return { statusCode: 200, header: {}, data: campus };
      return { statusCode: 200, header: {}, data: { dailyLimitFen: 30_000 } };
    });
    await act(async () => {
      await store.refreshAccount();
    });
    requests.length = 0;
    const { default: Settings } = await import('../src/pages/settings/index');
    const view = render(<Settings />);
    expect(view.container.querySelector('#daily-limit')?.textContent).toContain('最高 300 元');
    fireEvent.input(view.container.querySelector('input[name="dailyLimit"]')!, { target: { value: '400' } });
    fireEvent.input(view.container.querySelector('input[name="limitPassword"]')!, { target: { value: '445566' } });
    await act(async () => {
      fireEvent.click(view.container.querySelector('#limit-submit')!);
    });
    expect(view.container.querySelector('#daily-limit')?.textContent).toContain('限额须为 0–300 元的整数');
    // Nothing sent for the refused limit (the automatic-reload row only reads its status).
    expect(requests.filter((request) => !request.endsWith('/v1/holder/auto-reload'))).toEqual([]);
  });
});
