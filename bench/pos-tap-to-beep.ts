/**
 * Benchmark: tap-to-beep in the terminal app. The real app (web/dist/pos) in headless Chromium,
 * activated with a one-time code, against the whole local stack (DynamoDB Local in memory, the API
 * through the local runner). Each payment: the cashier keys ¥1.00 and arms the reader; a USB scanner
 * types a fresh campus code and Enter; the clock runs from that Enter (the code read) to the beep
 * (the Web Audio tone's start). The server's share is the handler's own time (the runner's
 * Server-Timing header); the API round trip adds the loopback and the browser's fetch.
 *
 *   npm run bench:pos         (BENCH_PAYMENTS=200, after `npm run build:pos`)
 *
 * Prints p50/p99 of each. Figures only: nothing here passes or fails.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local';
import { startLocalStack } from '../functions/local/stack';
import { issueActivationCode } from '../functions/services/admin/merchants';
import { launchChromium, POS_DIR } from '../tests/e2e/browser';
import { benchCode, benchHolderWithPhone, type BenchPhone } from './seed';

const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 200);
const WARMUP = 10;
const HOLDERS = 20;

/** Marks the page's own events on its clock: every Enter, every tone started, every API call's time and the server's share. */
const INSTRUMENT = `
  window.__bench = { enters: [], beeps: [], calls: [] };
  addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__bench.enters.push(performance.now()); }, true);
  const start = AudioScheduledSourceNode.prototype.start;
  AudioScheduledSourceNode.prototype.start = function (...args) { window.__bench.beeps.push(performance.now()); return start.apply(this, args); };
  const realFetch = window.fetch;
  window.fetch = async (...args) => {
    const t0 = performance.now();
    const response = await realFetch(...args);
    const t1 = performance.now();
    const timing = /handler;dur=([0-9.]+)/.exec(response.headers.get('server-timing') || '');
    window.__bench.calls.push({ url: String(args[0] && args[0].url ? args[0].url : args[0]), t0, t1, server: timing ? Number(timing[1]) : null });
    return response;
  };
`;

interface Marks {
  enters: number[];
  beeps: number[];
  calls: { url: string; t0: number; t1: number; server: number | null }[];
}

function percentiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return `p50 ${at(50).toFixed(1)} ms  p99 ${at(99).toFixed(1)} ms  (n=${sorted.length})`;
}

async function main(): Promise<void> {
  if (!existsSync(join(POS_DIR, 'index.html'))) throw new Error('no terminal app build: run `npm run build:pos` first');
  process.env.LOG_LEVEL = 'silent';
  process.env.SESSION_SECRET ??= randomBytes(32).toString('base64url');
  process.env.IDENTITY_KEY ??= randomBytes(32).toString('base64url');
  const dynamodb = await startDynamoDbLocal();
  const stack = await startLocalStack({ dynamodbEndpoint: dynamodb.endpoint, stage: `bench${Date.now()}`, port: 0, staticSites: [{ path: '/pos/', dir: POS_DIR }] });
  const browser = await launchChromium();
  try {
    const { deps } = stack.platform;
    const now = new Date();
    const phones: BenchPhone[] = [];
    for (let i = 0; i < HOLDERS; i++) phones.push(await benchHolderWithPhone(deps, String(400_000 + i), now));

    const page: Page = await browser.newPage({ viewport: { width: 1024, height: 600 }, locale: 'zh-CN' });
    await page.addInitScript(INSTRUMENT);
    const { activationCode } = await issueActivationCode(deps, { username: 'bench', role: 'administrator' }, 'POS-M001-01', { reason: 'bench: the terminal app' });
    await page.goto(`${stack.platform.url}/pos/`);
    await page.getByTestId('terminal-id').fill('POS-M001-01');
    await page.getByTestId('activation-code').fill(activationCode);
    await page.getByTestId('activate').click();
    await page.getByTestId('amount-input').waitFor({ timeout: 30_000 });

    const counters = new Map<number, number>();
    const code = (i: number) => {
      const phone = phones[i % phones.length]!;
      const counter = counters.get(phone.keyId) ?? 0;
      counters.set(phone.keyId, counter + 1);
      return benchCode(phone, counter);
    };
    console.log(`terminal app: ${PAYMENTS} QR payments (+${WARMUP} warm-up) through the USB-scanner path, one at a time ...`);
    const tapToBeep: number[] = [];
    const server: number[] = [];
    const roundTrip: number[] = [];
    let refused = 0;
    for (let i = 0; i < PAYMENTS + WARMUP; i++) {
      const token = code(i);
      await page.getByTestId('amount-input').click();
      await page.keyboard.type('1');
      await page.keyboard.press('Enter');
      const beepsBefore = await page.evaluate(() => (globalThis as unknown as { __bench: Marks }).__bench.beeps.length);
      await page.keyboard.type(token);
      await page.keyboard.press('Enter');
      await page.getByTestId('outcome').waitFor({ timeout: 20_000 });
      if ((await page.getByTestId('outcome').getAttribute('data-status')) !== 'ok') {
        refused++;
        continue;
      }
      await page.waitForFunction((n) => (globalThis as unknown as { __bench: Marks }).__bench.beeps.length > n, beepsBefore);
      const marks = await page.evaluate(() => (globalThis as unknown as { __bench: Marks }).__bench);
      const read = marks.enters[marks.enters.length - 1]!;
      const beep = marks.beeps[marks.beeps.length - 1]!;
      const calls = marks.calls.filter((call) => call.t0 >= read && call.t1 <= beep && call.url.includes('/v1/pos/'));
      if (i < WARMUP) continue;
      tapToBeep.push(beep - read);
      roundTrip.push(calls.reduce((sum, call) => sum + (call.t1 - call.t0), 0));
      server.push(calls.reduce((sum, call) => sum + (call.server ?? 0), 0));
    }
    console.log(`tap-to-beep (code read → beep)        ${percentiles(tapToBeep)}`);
    console.log(`  API round trip (fetch, in the page)  ${percentiles(roundTrip)}`);
    console.log(`  server (handler + DynamoDB Local)    ${percentiles(server)}`);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(`  server's share of the median: ${((100 * median(server)) / median(tapToBeep)).toFixed(0)}%; refused: ${refused}`);
  } finally {
    await browser.close();
    await stack.close();
    await dynamodb.stop();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
