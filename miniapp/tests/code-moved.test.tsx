/** The old phone after the code moved to a new one (issue 18 item 7): it says so, and draws no more codes. */
import { act, cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HolderAccount } from '../src/lib/api';
import { answerRequests, navigations, resetTaro, type RequestAnswer } from './taro-shim';

const account: HolderAccount = {
  accountNo: '10002',
  personId: '2024000002',
  holderName: '江凤伟',
  cardType: 'student',
  status: 'active',
  balanceFen: 12_600,
  transitionalFen: 0,
  smallWalletFen: 0,
  dailyLimitFen: 5_000,
  spentTodayFen: 0,
  cards: [],
  policy: { replacementFeeFen: 2_000, selfReplacementMinBalanceFen: 2_000, defaultDailyLimitFen: 5_000, maxDailyLimitFen: 60_000, onlineTopupMinFen: 100, onlineTopupMaxFen: 99_900, passwordLockMinutes: 30, smallWalletCapFen: 1_000 },
};

/** A scripted server: the account names `active` as its key; each registration makes the next key id the active one. */
function server() {
  const s = { active: undefined as HolderAccount['activeDeviceKey'], nextKeyId: 42, registrations: 0 };
  answerRequests(async (request): Promise<RequestAnswer> => {
    const header = { date: new Date().toUTCString() };
    if (request.url.endsWith('/v1/holder/account')) return { statusCode: 200, header, data: { ...account, ...(s.active ? { activeDeviceKey: s.active } : {}) } };
    if (request.url.endsWith('/v1/holder/device-keys')) {
      s.registrations++;
      s.active = { keyId: s.nextKeyId, registeredAt: new Date().toISOString() };
      return { statusCode: 201, header, data: { keyId: s.nextKeyId++, serverTimeMs: Date.now() } };
    }
    return { statusCode: 404, header, data: { code: 'ROUTE_NOT_FOUND', message: { zh: '接口不存在', en: 'No such endpoint' } } };
  });
  return s;
}

beforeEach(() => resetTaro());
afterEach(() => cleanup());

describe('the code screen on the old phone', () => {
  it('says the code moved, with when and what to do, stops drawing codes, and can take the code back', async () => {
    const store = await import('../src/lib/store');
    const s = server();
    store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
    const { default: Home } = await import('../src/pages/index/index');
    const view = render(<Home />);
    await waitFor(() => expect(view.container.querySelector('.qr')).not.toBeNull());
    expect(store.getState().deviceKey?.keyId).toBe(42);
    expect(s.registrations).toBe(1); // the first load and the page's show both asked: one registration

    // Another phone is bound: the next poll of the account names its key.
    s.active = { keyId: 99, registeredAt: '2026-12-01T04:05:06.000Z' };
    await waitFor(() => expect(view.container.querySelector('#code-moved')).not.toBeNull(), { timeout: 6_000 });
    const text = view.container.querySelector('#code-moved')!.textContent!;
    expect(text).toContain('付款码已转移到另一台手机');
    expect(text).toContain('2026-12-01 12:05:06'); // Beijing time
    expect(text).toContain('如果不是您本人操作，请立即挂失');
    expect(view.container.querySelector('.qr')).toBeNull();
    expect(store.currentCode('pay', true)).toBeUndefined();
    expect(s.registrations).toBe(1); // and the old phone does not take the code back by itself

    fireEvent.click(view.container.querySelector('#code-moved-report')!);
    expect(navigations).toContain('/pages/card/index');

    await act(async () => {
      fireEvent.click(view.container.querySelector('#code-moved-use-here')!);
    });
    await waitFor(() => expect(view.container.querySelector('.qr')).not.toBeNull());
    expect(store.getState()).toMatchObject({ deviceKey: { keyId: 43 }, codeMoved: undefined });
    expect(s.registrations).toBe(2);
  }, 15_000);

  it('binding again on a phone that kept an old key registers a new one (the code moves here)', async () => {
    const store = await import('../src/lib/store');
    const s = server();
    store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
    const before = (await store.ensureDeviceKey()).keyId;
    const registered = s.registrations;
    store.signedIn({ session: 's2', accountNo: '10002', mustChangePassword: false });
    expect((await store.ensureDeviceKey()).keyId).toBe(before); // a sign-in keeps the key
    expect(s.registrations).toBe(registered);
    store.signedIn({ session: 's3', accountNo: '10002', mustChangePassword: false }, { bound: true });
    expect((await store.ensureDeviceKey()).keyId).not.toBe(before);
    expect(s.registrations).toBe(registered + 1);
  });
});
