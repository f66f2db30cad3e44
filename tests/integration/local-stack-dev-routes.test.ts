/**
 * `npm start`'s stack and its local-only routes, on one stack (starting one takes seconds): the daily
 * reconciliations run on demand against its own fakes (whose keys exist only in that process), and
 * automatic reload offered on both fake platforms, signed on the demo's behalf
 * (POST /__fake/{wechat|alipay}/agreements/sign/{code}).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { startLocalStack, type LocalStack } from '../../functions/local/stack';
import { holderToken } from '../helpers/phone';
import { uniqueStage } from '../helpers/platform';

let stack: LocalStack;
const saved = { ...process.env };

beforeAll(async () => {
  for (const name of ['WECHAT_PAY_CONFIG', 'ALIPAY_CONFIG', 'WECHAT_LOGIN_CONFIG', 'BANK_CONFIG']) delete process.env[name];
  // No holder notifications here: the table goes without its stream (functions/local/stack.ts).
  stack = await startLocalStack({ dynamodbEndpoint: inject('dynamodbEndpoint'), stage: uniqueStage(), port: 0, notifications: false });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  process.env = saved;
});

describe('POST /__fake/reconcile/{bills|bank-statement}/{day}', () => {
  const today = campusDay(new Date());

  it('reconciles today’s WeChat Pay and Alipay bills from the fakes', async () => {
    const res = await fetch(`${stack.platform.url}/__fake/reconcile/bills/${today}`, { method: 'POST' });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { day: string; channels: { channel: string }[]; failures: unknown[] };
    expect(report.day).toBe(today);
    expect(report.channels.map((c) => c.channel).sort()).toEqual(['alipay', 'wechat']);
    expect(report.failures).toEqual([]);
  });

  it('reconciles today’s bank statement from the fake bank', async () => {
    const res = await fetch(`${stack.platform.url}/__fake/reconcile/bank-statement/${today}`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ day: today, reconciled: true, failures: [] });
  });

  it('refuses a day that is not a date', async () => {
    expect((await fetch(`${stack.platform.url}/__fake/reconcile/bills/yesterday`, { method: 'POST' })).status).toBe(404);
  });
});

async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${stack.platform.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('POST /__fake/{wechat|alipay}/agreements/sign/{agreementCode}', () => {
  it.each(['alipay', 'wechat'] as const)('signs a %s agreement the holder started: the fake notifies the API and it is active', async (channel) => {
    const sample = stack.seed.samples[channel === 'alipay' ? 0 : 1]!;
    const token = await holderToken(sample.account.accountNo);
    const started = await call('POST', '/v1/holder/auto-reload', token, { channel, thresholdFen: 2_000, amountFen: 5_000 });
    expect(started.status).toBe(200);
    expect(started.body.signing.channel).toBe(channel);
    const signed = await call('POST', `/__fake/${channel}/agreements/sign/${started.body.agreementCode}`);
    expect(signed).toEqual({ status: 200, body: { notified: 200 } });
    expect((await call('GET', '/v1/holder/auto-reload', token)).body).toMatchObject({ status: 'active', channel });
  });

  it('refuses a code the fake never heard of (WeChat), and a path that is not a code', async () => {
    expect((await call('POST', '/__fake/wechat/agreements/sign/Aneverstarted1')).status).toBe(409);
    expect((await call('POST', '/__fake/alipay/agreements/sign/not%20a%20code')).status).toBe(404);
  });
});
