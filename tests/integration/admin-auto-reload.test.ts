/**
 * The card centre and a holder's automatic reload (issue 18 item 2, the counter's side), on DynamoDB
 * Local with the fake WeChat Pay (委托代扣, real signatures): every staff role reads the agreement;
 * the operator and the administrator end it (at WeChat first, then here, cancelledBy card_centre,
 * logged with the reason in the same transaction); the auditor and finance are refused and nothing
 * changes; not signed; WeChat down changes nothing; the holder and staff cancelling at once end it once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { campusDay } from '../../functions/domain/campus-day';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { listActionLogDay } from '../../functions/store/action-log';
import { getAgreement } from '../../functions/store/agreements';
import { ERRORS } from '../../shared/errors';
import { STAFF_ROLES, type StaffRole } from '../../shared/vocabulary';
import { createTestAccount } from '../helpers/fixtures';
import { useFake } from '../helpers/fakes';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

let wechat: FakeWechatPay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
const platform = useTestPlatform({ http: true });

const PASSWORD = 'auto reload staff 2026';
const tokens = {} as Record<StaffRole, string>;

beforeAll(async () => {
  for (const role of STAFF_ROLES) {
    await createStaffMember(platform.deps, { username: `ar.${role.replace('_', '-')}`, role, password: PASSWORD });
    tokens[role] = (await platform.request('POST', '/v1/admin/sessions', { body: { username: `ar.${role.replace('_', '-')}`, password: PASSWORD } })).body.token;
  }
});

/** A holder with an active agreement at the fake WeChat Pay (threshold 80 yuan, 10 yuan a reload). */
async function signedHolder() {
  const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
  const token = await holderToken(account.accountNo);
  const signed = await platform.request('POST', '/v1/holder/auto-reload', { token, body: { channel: 'wechat', thresholdFen: 8_000, amountFen: 1_000 } });
  expect(signed.status).toBe(200);
  expect(await wechat.signContract(signed.body.agreementCode)).toBe(200);
  expect((await getAgreement(platform.deps.db, account.accountNo))?.status).toBe('active');
  return { accountNo: account.accountNo, token, code: signed.body.agreementCode as string };
}

const path = (accountNo: string) => `/v1/admin/accounts/${accountNo}/auto-reload`;
const contractState = (code: string) => wechat.contracts().find((contract) => contract.outContractCode === code)?.state;
const cancelLog = async (accountNo: string) =>
  (await listActionLogDay(platform.deps.db, campusDay(platform.deps.clock()), { limit: 1000 })).entries.filter((entry) => entry.action === 'auto_reload.cancel' && entry.target === `account:${accountNo}`);

describe('the card centre and a holder’s automatic reload', () => {
  it('every staff role reads it: status, channel, threshold, amount, reloads today of the daily max, signed at', async () => {
    const holder = await signedHolder();
    for (const role of STAFF_ROLES) {
      const view = await platform.request('GET', path(holder.accountNo), { token: tokens[role] });
      expect(view.status, role).toBe(200);
      expect(view.body, role).toMatchObject({ status: 'active', channel: 'wechat', thresholdFen: 8_000, amountFen: 1_000, reloadsToday: 0, agreementCode: holder.code, cancelledAt: null, cancelledBy: null });
      expect(view.body.dailyMax, role).toBeGreaterThan(0);
      expect(view.body.signedAt, role).toEqual(expect.any(String));
    }
    // No agreement: said so, not refused; an unknown account is.
    const plain = await createTestAccount(platform.deps);
    expect((await platform.request('GET', path(plain.accountNo), { token: tokens.auditor })).body).toMatchObject({ status: 'none', channel: null, agreementCode: null, signedAt: null });
    expect((await platform.request('GET', path('99999999'), { token: tokens.operator })).body.code).toBe('ACCOUNT_NOT_FOUND');
  });

  it('the operator ends it: terminated at WeChat Pay, cancelled here by card_centre, the action logged with the reason', async () => {
    const holder = await signedHolder();
    const ended = await platform.request('DELETE', path(holder.accountNo), { token: tokens.operator, body: { reason: '持卡人来电要求停止自动充值' } });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'cancelled', cancelledBy: 'card_centre', cancelledAt: expect.any(String) });
    expect(contractState(holder.code)).toBe('TERMINATED');
    expect(await getAgreement(platform.deps.db, holder.accountNo)).toMatchObject({ status: 'cancelled', cancelledBy: 'card_centre' });
    const log = await cancelLog(holder.accountNo);
    expect(log).toEqual([expect.objectContaining({ who: 'ar.operator', role: 'operator', reason: '持卡人来电要求停止自动充值', details: { channel: 'wechat', agreementCode: holder.code, was: 'active' } })]);
    // The holder's app reads it cancelled; ending it again: nothing to end, nothing logged.
    expect((await platform.request('GET', '/v1/holder/auto-reload', { token: holder.token })).body.status).toBe('cancelled');
    const again = await platform.request('DELETE', path(holder.accountNo), { token: tokens.administrator, body: { reason: '再次解除' } });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('AUTO_RELOAD_NOT_SIGNED');
    expect(await cancelLog(holder.accountNo)).toHaveLength(1);
  });

  it('the auditor and finance are refused with the role error, and nothing changes', async () => {
    const holder = await signedHolder();
    for (const role of ['auditor', 'finance'] as const) {
      const refused = await platform.request('DELETE', path(holder.accountNo), { token: tokens[role], body: { reason: '试图解除' } });
      expect(refused.status, role).toBe(403);
      expect(refused.body.code, role).toBe('FORBIDDEN');
    }
    expect((await getAgreement(platform.deps.db, holder.accountNo))?.status).toBe('active');
    expect(contractState(holder.code)).toBe('ADDED');
    expect(await cancelLog(holder.accountNo)).toEqual([]);
  });

  it('a reason is required; an account without an agreement is AUTO_RELOAD_NOT_SIGNED', async () => {
    const holder = await signedHolder();
    const noReason = await platform.request('DELETE', path(holder.accountNo), { token: tokens.operator, body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.code).toBe('VALIDATION_FAILED');
    expect((await getAgreement(platform.deps.db, holder.accountNo))?.status).toBe('active');
    const plain = await createTestAccount(platform.deps);
    const notSigned = await platform.request('DELETE', path(plain.accountNo), { token: tokens.operator, body: { reason: '持卡人来电' } });
    expect(notSigned.status).toBe(404);
    expect(notSigned.body).toMatchObject({ code: 'AUTO_RELOAD_NOT_SIGNED', message: { zh: ERRORS.AUTO_RELOAD_NOT_SIGNED.zh } });
  });

  it('WeChat Pay down: PAYMENT_CHANNEL_UNAVAILABLE and nothing changed here; ended once it is back', async () => {
    const holder = await signedHolder();
    wechat.setDown(true);
    try {
      const refused = await platform.request('DELETE', path(holder.accountNo), { token: tokens.operator, body: { reason: '持卡人来电要求停止' } });
      expect(refused.status).toBe(ERRORS.PAYMENT_CHANNEL_UNAVAILABLE.status);
      expect(refused.body.code).toBe('PAYMENT_CHANNEL_UNAVAILABLE');
    } finally {
      wechat.setDown(false);
    }
    expect(await getAgreement(platform.deps.db, holder.accountNo)).toMatchObject({ status: 'active' });
    expect((await getAgreement(platform.deps.db, holder.accountNo))?.cancelledBy).toBeUndefined();
    expect(contractState(holder.code)).toBe('ADDED');
    expect(await cancelLog(holder.accountNo)).toEqual([]);
    expect((await platform.request('DELETE', path(holder.accountNo), { token: tokens.operator, body: { reason: '持卡人来电要求停止' } })).body.status).toBe('cancelled');
  });

  it('the holder and the card centre cancelling at once end it once, without an error; logged only if staff ended it', async () => {
    for (let round = 0; round < 3; round++) {
      const holder = await signedHolder();
      const [byHolder, byStaff] = await Promise.all([
        platform.request('DELETE', '/v1/holder/auto-reload', { token: holder.token }),
        platform.request('DELETE', path(holder.accountNo), { token: tokens.operator, body: { reason: '持卡人来电要求停止' } }),
      ]);
      // Either may find it already ended (404 NOT_SIGNED, the truth); neither leaks another error.
      for (const answer of [byHolder, byStaff]) {
        if (answer.status !== 200) expect(answer.body.code).toBe('AUTO_RELOAD_NOT_SIGNED');
        else expect(answer.body.status).toBe('cancelled');
      }
      expect(contractState(holder.code)).toBe('TERMINATED');
      const agreement = await getAgreement(platform.deps.db, holder.accountNo);
      expect(agreement?.status).toBe('cancelled');
      expect(await cancelLog(holder.accountNo)).toHaveLength(agreement?.cancelledBy === 'card_centre' ? 1 : 0);
      if (byStaff.status === 200) expect(byStaff.body.cancelledBy).toBe(agreement?.cancelledBy);
    }
  });

  it('the holder’s own cancel still says holder', async () => {
    const holder = await signedHolder();
    expect((await platform.request('DELETE', '/v1/holder/auto-reload', { token: holder.token })).body.status).toBe('cancelled');
    expect((await platform.request('GET', path(holder.accountNo), { token: tokens.auditor })).body).toMatchObject({ status: 'cancelled', cancelledBy: 'holder' });
    expect(await cancelLog(holder.accountNo)).toEqual([]);
  });
});
