/**
 * Issue 17 item 4: CPU per payment in the API process. The local HTTP API runs in its own process
 * (bench/scale/cpu-api.ts, forked) so that its process.cpuUsage() (user + system) is the server's
 * work only; this process plays the terminals (codes drawn and requests signed before the clock
 * starts). Over a round of N QR payments: the API process's CPU / N, beside the CPU of the raw
 * DynamoDB calls of the same round (the same number of TransactWriteItems and Gets, counted by a
 * middleware on the API's own client, sent straight from the SDK in the same process): the SDK's
 * own share, which no handler change can remove. A warm-up round first: per-container work is not
 * per-payment work. Figures only.
 *
 *   npx tsx bench/scale/cpu.ts [--payments 2000] [--accounts 500] [--concurrency 32] [--cpu-prof DIR]
 *   (--cpu-prof: the API process runs with node --cpu-prof; open the .cpuprofile in Chrome DevTools)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchHolderWithPhone, type BenchPhone } from '../seed';
import type { Terminal } from '../../functions/domain/merchant';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local';
import { prepareEnvironment } from '../../functions/local/platform';
import { createTerminal, putMerchant } from '../../functions/store/terminals';
import { signQrToken, timeStepAt } from '../../shared/qr-token';
import { signTerminalRequest } from '../../shared/terminal-signature';
import type { ApiReply, ApiRequest } from './cpu-api';

export interface CpuOptions {
  holders: number;
  payments?: number;
  concurrency?: number;
  cpuProfDir?: string;
}

/** The parent's side of the API process: one request, one reply of the kind asked for. */
function apiProcess(child: ChildProcess) {
  const waiting: ((reply: ApiReply) => void)[] = [];
  child.on('message', (reply: ApiReply) => waiting.shift()?.(reply));
  const next = () => new Promise<ApiReply>((resolve) => waiting.push(resolve));
  return {
    next,
    ask: async <T extends ApiReply['type']>(request: ApiRequest): Promise<Extract<ApiReply, { type: T }>> => {
      const reply = next();
      child.send(request);
      return (await reply) as Extract<ApiReply, { type: T }>;
    },
  };
}

export async function run(options: CpuOptions): Promise<void> {
  const accounts = Math.min(options.holders, 1_000);
  const payments = options.payments ?? 2_000;
  const concurrency = options.concurrency ?? 32;
  process.env.LOG_LEVEL = 'silent';
  process.env.SESSION_SECRET ??= randomBytes(32).toString('base64url');
  const dynamodb = await startDynamoDbLocal();
  const stage = `cpu${Date.now()}`;
  const child = fork(fileURLToPath(new URL('./cpu-api.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...(options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [])],
    env: { ...process.env, CPU_BENCH_ENDPOINT: dynamodb.endpoint, CPU_BENCH_STAGE: stage, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const api = apiProcess(child);
  try {
    const ready = (await api.next()) as Extract<ApiReply, { type: 'ready' }>;
    const { deps } = await prepareEnvironment(dynamodb.endpoint, stage);
    const now = new Date();
    const phones: BenchPhone[] = [];
    for (let i = 0; i < accounts; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, accounts - i) }, async (_, j) => phones.push(await benchHolderWithPhone(deps, String(400_000 + i + j), now))));
    }
    await putMerchant(deps.db, { merchantId: 'MCPU', name: '压测食堂', category: 'canteen', status: 'active', createdAt: now.toISOString() });
    const terminals: Terminal[] = [];
    for (let t = 0; t < concurrency; t++) {
      const terminal: Terminal = { terminalId: `POS-CPU-${t}`, merchantId: 'MCPU', place: `窗口 ${t}`, secret: randomBytes(24).toString('base64url'), status: 'active', createdAt: now.toISOString() };
      await createTerminal(deps.db, terminal);
      terminals.push(terminal);
    }

    const counters = new Map<string, number>();
    let serial = 0;
    /** Signed requests, ready to send: the phone's and the terminal's work done before the clock starts. */
    const draw = (count: number) =>
      Array.from({ length: count }, () => {
        const i = serial++;
        const step = timeStepAt(Date.now());
        const phone = phones[(i * 7919) % phones.length]!;
        const counter = counters.get(`${phone.keyId}.${step}`) ?? 0;
        counters.set(`${phone.keyId}.${step}`, counter + 1);
        const terminal = terminals[i % terminals.length]!;
        const body = JSON.stringify({ posTxnId: `c${i}`, token: signQrToken({ version: 1, purpose: 'pay', keyId: phone.keyId, timeStep: step, counter }, phone.privateKey), amountFen: 100 });
        const headers = signTerminalRequest(terminal, { method: 'POST', path: '/v1/pos/qr-payments', body, now: new Date(), nonce: randomBytes(12).toString('base64url') });
        return { body, headers: { ...headers, 'content-type': 'application/json' } };
      });
    const failures = new Map<string, number>();
    const pay = async (requests: ReturnType<typeof draw>) => {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < requests.length; i = next++) {
            const response = await fetch(`${ready.url}/v1/pos/qr-payments`, { method: 'POST', ...requests[i]! });
            const text = await response.text();
            if (response.status !== 200) failures.set(text.slice(0, 80), (failures.get(text.slice(0, 80)) ?? 0) + 1);
          }
        }),
      );
      return performance.now() - t0;
    };

    await pay(draw(Math.min(500, payments)));
    const accountNos = phones.map((p) => p.accountNo);
    const rows: { api: number; raw: number; ms: number; calls: Record<string, number> }[] = [];
    for (let round = 0; round < 2; round++) {
      const requests = draw(payments);
      const before = await api.ask<'cpu'>({ type: 'cpu' });
      const ms = await pay(requests);
      const after = await api.ask<'cpu'>({ type: 'cpu' });
      const calls = Object.fromEntries(Object.entries(after.calls).map(([name, n]) => [name, n - (before.calls[name] ?? 0)]).filter(([, n]) => Number(n) > 0));
      const raw = await api.ask<'raw'>({ type: 'raw', calls, concurrency, accounts: accountNos });
      rows.push({ api: (after.cpuMicros - before.cpuMicros) / payments / 1000, raw: raw.cpuMicros / payments / 1000, ms, calls });
    }
    console.log(`CPU per payment in the API process (${payments} QR payments per round over local HTTP, ${concurrency} terminals, ${accounts} holders; process.cpuUsage user+system)`);
    rows.forEach((r, n) => {
      const mix = Object.entries(r.calls).map(([name, count]) => `${(count / payments).toFixed(2)} ${name.replace('Command', '')}`).join(', ');
      console.log(
        `  round ${n + 1}: API ${r.api.toFixed(2)} ms/payment; raw DynamoDB calls of the same round ${r.raw.toFixed(2)} ms/payment (per payment: ${mix}); ` +
          `ours ${(r.api - r.raw).toFixed(2)} ms; ${Math.round((payments * 1000) / r.ms)} payments/s`,
      );
    });
    const mean = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + pick(r), 0) / rows.length;
    console.log(`  CPU per payment: ${mean((r) => r.api).toFixed(2)} ms (target ≤ 2 ms), of which the SDK's raw calls ${mean((r) => r.raw).toFixed(2)} ms`);
    if (failures.size) console.log('  failures:', Object.fromEntries(failures));
  } finally {
    child.send({ type: 'exit' } satisfies ApiRequest);
    await new Promise((resolve) => child.once('exit', resolve));
    await dynamodb.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { payments: { type: 'string' }, accounts: { type: 'string' }, concurrency: { type: 'string' }, 'cpu-prof': { type: 'string' } } });
  run({
    holders: Number(values.accounts ?? 500),
    ...(values.payments ? { payments: Number(values.payments) } : {}),
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
    ...(values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {}),
  }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
