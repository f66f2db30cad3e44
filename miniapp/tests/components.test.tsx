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
});
