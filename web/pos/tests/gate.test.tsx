import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { identityScan } from '@shared/api/pos';
import { ERRORS } from '@shared/errors';
import { generateDeviceKeyPair, signQrToken, timeStepAt, type QrPurpose } from '@shared/qr-token';
import { stopAlarm } from '../src/feedback';
import { GateMode } from '../src/modes/gate';
import { bundle, fakeApi } from './fake-api';
import { contract, renderMode, scan } from './modes-harness';
import { alarmOn, beeps } from './render-app';

afterEach(() => {
  cleanup();
  stopAlarm();
  delete document.documentElement.dataset.beeps;
});

const CODE = 'EC1 6:F$KQ/ A9 %+3B'; // spaces kept exactly as read

const status = () => screen.getByTestId('gate-status');

describe('gate mode', () => {
  it('opens for an allowed identity code with the holder’s name and type, and beeps once', async () => {
    const api = fakeApi({
      'POST /v1/pos/identity-scans': (request) => contract(identityScan, request, { allowed: true, holderName: '张小明', personId: '2023001', cardType: 'student' }),
    });
    await renderMode(<GateMode />, { kind: 'gate', api });
    expect(status().dataset.status).toBe('idle');
    expect(status().textContent).toContain('请出示身份码');
    scan(CODE);
    await waitFor(() => expect(status().dataset.status).toBe('open'));
    expect(status().textContent).toContain('开门');
    expect(screen.getByTestId('gate-holder').textContent).toBe('张小明');
    expect(status().textContent).toContain('学生 · 2023001');
    expect(api.sent('POST /v1/pos/identity-scans').map((r) => r.body)).toEqual([{ token: CODE }]);
    expect(beeps()).toBe(1);
    expect(alarmOn()).toBe(false);
  });

  it('refuses a lost card with the reason in Chinese and an alarm, stopped by the next code', async () => {
    const answers = [
      { allowed: false, reason: 'CARD_LOST' as const, holderName: '张小明', personId: '2023001', cardType: 'student' },
      { allowed: true, holderName: '李四', personId: 'T1001', cardType: 'staff' },
    ];
    const api = fakeApi({ 'POST /v1/pos/identity-scans': (request) => contract(identityScan, request, answers.shift()!) });
    await renderMode(<GateMode />, { kind: 'gate', api });
    scan(CODE);
    await waitFor(() => expect(status().dataset.status).toBe('refused'));
    expect(status().textContent).toContain('禁止通行');
    expect(screen.getByTestId('gate-reason').textContent).toBe('卡已挂失');
    expect(screen.getByTestId('gate-reason').dataset.code).toBe('CARD_LOST');
    expect(alarmOn()).toBe(true);
    scan(`${CODE}2`);
    await waitFor(() => expect(status().dataset.status).toBe('open'));
    expect(alarmOn()).toBe(false);
    expect(status().textContent).toContain('教职工');
  });

  it('shows the server’s refusal of the code itself in Chinese (an expired code)', async () => {
    const api = fakeApi({ 'POST /v1/pos/identity-scans': () => ({ refuse: 'TOKEN_EXPIRED' }) });
    await renderMode(<GateMode />, { kind: 'gate', api });
    scan(CODE);
    await waitFor(() => expect(status().dataset.status).toBe('refused'));
    expect(screen.getByTestId('gate-reason').textContent).toBe(ERRORS.TOKEN_EXPIRED.zh);
    expect(alarmOn()).toBe(true);
  });

  it('with no answer from the API, checks the code against the offline bundle: open once, refused when reused, blacklisted or a payment code', async () => {
    const { privateKey, publicKey } = generateDeviceKeyPair();
    const listed = generateDeviceKeyPair();
    const keys = [
      { keyId: 7, publicKey: Buffer.from(publicKey).toString('base64url'), accountNo: '20230001', offlineCapFen: 5000 },
      { keyId: 8, publicKey: Buffer.from(listed.publicKey).toString('base64url'), accountNo: '20230002', offlineCapFen: 5000 },
    ];
    const api = fakeApi({ 'GET /v1/pos/offline-bundle': () => ({ status: 200, body: { ...bundle({ keys }), blacklist: { accountNos: ['20230002'], chipUids: [] } } }) });
    const { client } = await renderMode(<GateMode />, { kind: 'gate', api });
    await client.refreshBundle();
    api.down = true;
    const code = (keyId: number, key: Uint8Array, purpose: QrPurpose = 'identity', counter = 0) => signQrToken({ version: 1, purpose, keyId, timeStep: timeStepAt(Date.now()), counter }, key);

    const identity = code(7, privateKey);
    scan(identity);
    await waitFor(() => expect(status().dataset.status).toBe('open'));
    expect(status().textContent).toContain('离线核验通过');
    expect(status().textContent).toContain('20230001');

    scan(identity);
    await waitFor(() => expect(status().dataset.status).toBe('refused'));
    expect(screen.getByTestId('gate-reason').textContent).toBe(ERRORS.TOKEN_REUSED.zh);

    scan(code(8, listed.privateKey));
    await waitFor(() => expect(screen.getByTestId('gate-reason').dataset.code).toBe('OFFLINE_BLACKLISTED'));
    expect(screen.getByTestId('gate-reason').textContent).toBe('卡已挂失、冻结或注销');

    scan(code(7, privateKey, 'pay', 1));
    await waitFor(() => expect(screen.getByTestId('gate-reason').dataset.code).toBe('TOKEN_WRONG_PURPOSE'));
    expect(screen.getByTestId('gate-reason').textContent).toBe(ERRORS.TOKEN_WRONG_PURPOSE.zh);
  });
});
