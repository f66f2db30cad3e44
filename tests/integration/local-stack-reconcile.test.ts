/** `npm start`'s stack runs the daily reconciliations on demand against its own fakes (whose keys exist only in that process). */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { startLocalStack, type LocalStack } from '../../functions/local/stack';
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
