/**
 * Benchmark: the lunch peak. 2,000 holders and 30 canteen terminals, twenty minutes of a lunch
 * compressed into two, through the real HTTP stack (signed requests → local runner → the Lambda
 * handlers → DynamoDB Local). The terminals are shared/terminal-client clients, so they resend and
 * query exactly as the real ones do. The mix: campus QR 60 %, card taps 30 % (CPU and M1 cards; each
 * CPU card's chip balance and counter are kept as the card would keep them), identity scans 5 %,
 * top-ups 5 % (an order paid at the fake WeChat Pay / Alipay, which notifies the platform).
 *
 * Arrivals follow a lunch (a ramp up to the peak, the peak, a ramp down) and are open-loop: a diner
 * arrives when the profile says and queues at a window; a slow server makes the queues grow, not the
 * diners fewer. Then capacity as bench/qr-pay.ts measures it: QR sales back to back on every terminal
 * at once, against raw TransactWriteItems of the same DynamoDB Local (the five writes of a QR payment,
 * on a table of their own) timed before the lunch and after that round, at the same concurrency.
 *
 *   npm run bench:lunch                      (2,000 holders, 30 terminals, 4,500 operations in 120 s)
 *   npm run bench:lunch -- --quick           (500 holders, 30 terminals, 1,200 operations in 30 s)
 *   npm run bench:lunch -- --holders 2000 --terminals 30 --ops 4500 --seconds 120 --seed 7
 *
 * Prints throughput (overall, per kind, in the peak), p50/p99 per kind, errors by code, the HTTP
 * requests behind the sales (resends and queries), the money check, the audit and the ratio to raw
 * transactions. Figures only: it exits 1 only if the audit or the money check finds a difference.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { issueHolderSession } from '../functions/auth/holder-session';
import { MAX_DAILY_LIMIT_FEN } from '../functions/domain/account';
import { campusDay } from '../functions/domain/campus-day';
import { fingerprint } from '../functions/domain/fingerprint';
import { planTopup } from '../functions/domain/movement-plans';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local';
import { startFakeAlipay } from '../functions/local/fake-alipay';
import { startFakeWechatPay } from '../functions/local/fake-wechat-pay';
import { startLocalPlatform } from '../functions/local/platform';
import { ensureTables } from '../functions/local/tables';
import { auditLedger } from '../functions/services/audit';
import { createAccount, getAccount } from '../functions/store/accounts';
import { issueCard } from '../functions/store/cards';
import { registerDeviceKey } from '../functions/store/device-keys';
import type { Db } from '../functions/store/db';
import { keys } from '../functions/store/keys';
import { createTerminal, putMerchant } from '../functions/store/terminals';
import { identityScan } from '../shared/api/pos';
import { generateDeviceKeyPair, signQrToken, timeStepAt, type QrPurpose } from '../shared/qr-token';
import { connectTerminal, memoryStore, TerminalRefusal, type SaleOutcome, type TerminalClient } from '../shared/terminal-client';
import { batchSeed, benchAccount, seededRandom } from './seed';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    holders: { type: 'string' },
    terminals: { type: 'string' },
    ops: { type: 'string' },
    seconds: { type: 'string' },
    seed: { type: 'string' },
  },
});
const HOLDERS = Number(args.holders ?? (args.quick ? 500 : 2_000));
const TERMINALS = Number(args.terminals ?? 30);
/** A window serves a diner about every 8 s: 30 windows × 20 minutes ≈ 4,500 sales. */
const OPS = Number(args.ops ?? (args.quick ? 1_200 : 4_500));
const SECONDS = Number(args.seconds ?? (args.quick ? 30 : 120));
const SEED = Number(args.seed ?? 7);
const RAW_TRANSACTIONS = Math.min(args.quick ? 1_000 : 3_000, OPS);
const OPENING_FEN = 50_000;

type Kind = 'qr' | 'card' | 'identity' | 'topup';
const KINDS: readonly Kind[] = ['qr', 'card', 'identity', 'topup'];
const MIX: Record<Kind, number> = { qr: 0.6, card: 0.3, identity: 0.05, topup: 0.05 };

/**
 * The lunch's arrival intensity at fraction x of the run (relative units): the doors open (0.2),
 * the queue builds to the peak by 30 %, holds it to 60 %, and thins out to the end (0.1).
 */
function intensity(x: number): number {
  if (x < 0.3) return 0.2 + (0.8 * x) / 0.3;
  if (x < 0.6) return 1;
  return 1 - (0.9 * (x - 0.6)) / 0.4;
}

/** `count` arrival times (ms from the start) drawn from the intensity by inverting its cumulative sum. */
function arrivals(count: number, durationMs: number, draw: () => number): number[] {
  const steps = 1_000;
  const cumulative: number[] = [0];
  for (let i = 0; i < steps; i++) cumulative.push(cumulative[i]! + intensity((i + 0.5) / steps));
  const total = cumulative[steps]!;
  const times: number[] = [];
  for (let n = 0; n < count; n++) {
    const target = draw() * total;
    let lo = 0;
    let hi = steps;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! <= target) lo = mid;
      else hi = mid;
    }
    const within = (target - cumulative[lo]!) / (cumulative[lo + 1]! - cumulative[lo]!);
    times.push(((lo + within) / steps) * durationMs);
  }
  return times.sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Holder {
  accountNo: string;
  keyId: number;
  privateKey: Uint8Array;
  card?: { kind: 'cpu' | 'm1'; chipUid: string; chipBalanceFen?: number; counter: number };
  busy: boolean;
  /** Codes drawn per 30-s step (the phone's counter). */
  counters: Map<number, number>;
}

interface Done {
  kind: Kind;
  ok: boolean;
  code?: string;
  /** From the start of the request to its answer (the window's queue not included). */
  ms: number;
  /** Time the diner waited at the window before the request started. */
  waitedMs: number;
  finishedAt: number;
  /** Money this operation moved in the holders' favour (top-up) or against it (sale), when known. */
  deltaFen?: number;
  /** The outcome of a money operation is not known (unreachable): the money check cannot count it. */
  unknown?: boolean;
}

async function main(): Promise<number> {
  process.env.LOG_LEVEL = 'silent';
  process.env.SESSION_SECRET ??= randomBytes(32).toString('base64url');
  const wechat = await startFakeWechatPay();
  const alipay = await startFakeAlipay();
  process.env.WECHAT_PAY_CONFIG = JSON.stringify(wechat.config);
  process.env.ALIPAY_CONFIG = JSON.stringify(alipay.config);
  const dynamodb = await startDynamoDbLocal();
  const platform = await startLocalPlatform({ dynamodbEndpoint: dynamodb.endpoint, stage: `lunch${Date.now()}`, port: 0 });
  const { deps } = platform;
  // Two runs with the same seed offer the same lunch.
  const draw = seededRandom(SEED);
  try {
    console.log(`setting up ${HOLDERS} holders (phones; 40 % CPU cards, 40 % M1 cards) and ${TERMINALS} terminals on DynamoDB Local ...`);
    const now = new Date();
    const holders: Holder[] = new Array(HOLDERS);
    for (let i = 0; i < HOLDERS; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, HOLDERS - i) }, async (_, j) => {
          const n = i + j;
          const accountNo = String(600_000 + n);
          await createAccount(deps.db, benchAccount(accountNo, { balanceFen: 0, version: 0, dailySpentDay: campusDay(now), dailyLimitFen: MAX_DAILY_LIMIT_FEN, createdAt: now.toISOString() }));
          await deps.movements.post({
            accountNo,
            idempotencyKey: `lunch#${accountNo}`,
            fingerprint: fingerprint({ accountNo }),
            plan: (current, today) => planTopup(current, { amountFen: OPENING_FEN, channel: 'counter', externalRef: `lunch-${accountNo}` }, today),
          });
          const { privateKey, publicKey } = generateDeviceKeyPair();
          const key = await registerDeviceKey(deps.db, accountNo, Buffer.from(publicKey).toString('base64url'), now);
          const holder: Holder = { accountNo, keyId: key.keyId, privateKey, busy: false, counters: new Map() };
          // Four in ten carry a CPU card, four in ten an M1 card, the rest pay by phone only.
          const kind = n % 5 < 2 ? 'cpu' : n % 5 < 4 ? 'm1' : undefined;
          if (kind) {
            const chipUid = `0E${accountNo}`.padEnd(14, '0');
            await issueCard(deps.db, { cardId: `C${chipUid}`, accountNo, kind, chipUid, status: 'active', issuedAt: now.toISOString(), issuedOn: campusDay(now) });
            // A CPU card issued with the account's opening balance on its chip, counter at 0.
            holder.card = kind === 'cpu' ? { kind, chipUid, chipBalanceFen: OPENING_FEN, counter: 0 } : { kind, chipUid, counter: 0 };
          }
          holders[n] = holder;
        }),
      );
    }
    await putMerchant(deps.db, { merchantId: 'MLUNCH', name: '第一食堂', category: 'canteen', status: 'active', createdAt: now.toISOString() });
    // Each terminal's requests, by path: the resends and queries its client made behind the sales.
    const requests = new Map<string, number>();
    const countingFetch: typeof fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const path = new URL(url).pathname.replace(/\/v1\/pos\/transactions\/.+/, '/v1/pos/transactions/{posTxnId}');
      requests.set(path, (requests.get(path) ?? 0) + 1);
      return fetch(input, init);
    };
    const clients: TerminalClient[] = [];
    for (let t = 0; t < TERMINALS; t++) {
      const terminal = { terminalId: `POS-LUNCH-${String(t).padStart(2, '0')}`, merchantId: 'MLUNCH', place: `窗口 ${t + 1}`, kind: 'pos' as const, secret: randomBytes(24).toString('base64url'), status: 'active' as const, createdAt: now.toISOString() };
      await createTerminal(deps.db, terminal);
      clients.push(await connectTerminal({ baseUrl: platform.url, store: memoryStore(), fetch: countingFetch }, { ...terminal, activatedAt: now.toISOString() }));
    }

    // Raw transactions go to a table of their own on the same DynamoDB Local (its accounts copied), so the audit reads only the lunch.
    const rawTable = `${deps.db.tableName}-raw`;
    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: process.env.AWS_REGION ?? 'ap-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTables(client, [{ logicalId: 'RawTable', properties: { ...platform.serverless.tables[0]!.properties, TableName: rawTable } }]);
    client.destroy();
    const rawDb = { doc: deps.db.doc, tableName: rawTable };
    await batchSeed(rawDb, HOLDERS, (n) => [{ ...keys.account(holders[n]!.accountNo), status: 'active' }]);
    const rawRun = rawTransactions(rawDb, holders, TERMINALS);
    const rawBefore = await rawRun(RAW_TRANSACTIONS);

    const code = (holder: Holder, purpose: QrPurpose) => {
      const step = timeStepAt(Date.now());
      const counter = holder.counters.get(step) ?? 0;
      holder.counters.set(step, counter + 1);
      return signQrToken({ version: 1, purpose, keyId: holder.keyId, timeStep: step, counter: counter % 256 }, holder.privateKey);
    };
    const fromOutcome = (outcome: SaleOutcome): Pick<Done, 'ok' | 'code' | 'unknown'> =>
      outcome.status === 'posted' ? { ok: true } : outcome.status === 'refused' ? { ok: false, code: outcome.refusal.code } : { ok: false, code: 'UNREACHABLE', unknown: true };

    const sale = async (kind: Kind, holder: Holder, client: TerminalClient): Promise<Omit<Done, 'ms' | 'waitedMs' | 'finishedAt' | 'kind'>> => {
      const amountFen = 600 + Math.floor(draw() * 1_900);
      if (kind === 'qr') {
        const outcome = await client.sell({ method: 'code', code: code(holder, 'pay'), amountFen });
        return { ...fromOutcome(outcome), ...(outcome.status === 'posted' ? { deltaFen: -amountFen } : {}) };
      }
      if (kind === 'card') {
        const card = holder.card!;
        const outcome = await client.sell(
          card.kind === 'cpu'
            ? { method: 'card', chipUid: card.chipUid, amountFen, chipBalanceFen: card.chipBalanceFen!, cardTxnCounter: card.counter }
            : { method: 'card', chipUid: card.chipUid, amountFen },
        );
        if (outcome.status === 'posted') {
          // The terminal writes the new chip balance; the CPU card counts the transaction.
          if (card.kind === 'cpu') {
            card.chipBalanceFen = outcome.chipBalanceToWriteFen ?? card.chipBalanceFen;
            card.counter++;
          }
          return { ok: true, deltaFen: -amountFen };
        }
        return fromOutcome(outcome);
      }
      try {
        const answer = await client.call(identityScan, { body: { token: code(holder, 'identity') } });
        return answer.allowed ? { ok: true } : { ok: false, code: `DENIED_${answer.reason ?? 'UNKNOWN'}` };
      } catch (error) {
        if (error instanceof TerminalRefusal) return { ok: false, code: error.code };
        return { ok: false, code: 'UNREACHABLE' };
      }
    };

    const topup = async (holder: Holder, n: number): Promise<Omit<Done, 'ms' | 'waitedMs' | 'finishedAt' | 'kind'>> => {
      const channel = n % 2 === 0 ? 'wechat' : 'alipay';
      const amountFen = 100 * (20 + Math.floor(draw() * 180));
      const token = await issueHolderSession(process.env.SESSION_SECRET!, holder.accountNo, new Date());
      const created = await fetch(`${platform.url}/v1/holder/topups`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amountFen, channel, payerId: channel === 'wechat' ? `oLunch${holder.accountNo}` : `2088${holder.accountNo.padStart(12, '0')}` }),
      });
      const body = (await created.json()) as { code?: string; order?: { orderId: string } };
      if (created.status !== 201) return { ok: false, code: body.code ?? `HTTP_${created.status}` };
      // The holder pays in the platform's app; the platform notifies us (the answer it gets is what pay() returns).
      const notified = await (channel === 'wechat' ? wechat : alipay).pay(body.order!.orderId);
      if (notified !== 200) return { ok: false, code: `${channel.toUpperCase()}_NOTIFY_${notified}`, unknown: true };
      return { ok: true, deltaFen: amountFen };
    };

    // The lunch: kinds and arrival times drawn up front, then played against the wall clock.
    const durationMs = SECONDS * 1_000;
    const times = arrivals(OPS, durationMs, draw);
    const plan = times.map((at) => {
      const r = draw();
      const kind: Kind = r < MIX.qr ? 'qr' : r < MIX.qr + MIX.card ? 'card' : r < MIX.qr + MIX.card + MIX.identity ? 'identity' : 'topup';
      return { at, kind, terminal: Math.floor(draw() * TERMINALS) };
    });
    const windows: Promise<unknown>[] = clients.map(() => Promise.resolve());
    const done: Done[] = [];
    const pickHolder = (kind: Kind): Holder | undefined => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const holder = holders[Math.floor(draw() * holders.length)]!;
        if (!holder.busy && (kind !== 'card' || holder.card)) return holder;
      }
      return undefined;
    };
    const inFlight: Promise<void>[] = [];
    let skipped = 0;
    console.log(`lunch: ${OPS} operations over ${SECONDS} s (peak ${(OPS / SECONDS / 0.7).toFixed(0)}/s offered; mix QR 60 %, card 30 %, identity 5 %, top-up 5 %) ...`);
    const started = performance.now();
    const progress = setInterval(() => console.error(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${done.length} done`), 10_000);
    for (const [n, arrival] of plan.entries()) {
      const delay = arrival.at - (performance.now() - started);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const holder = pickHolder(arrival.kind);
      if (!holder) {
        skipped++;
        continue;
      }
      holder.busy = true;
      const arrivedAt = performance.now();
      const record = async (run: () => Promise<Omit<Done, 'ms' | 'waitedMs' | 'finishedAt' | 'kind'>>) => {
        const t0 = performance.now();
        let result: Omit<Done, 'ms' | 'waitedMs' | 'finishedAt' | 'kind'>;
        try {
          result = await run();
        } catch (error) {
          result = { ok: false, code: error instanceof TerminalRefusal ? error.code : `THROWN_${(error as Error).name}`, unknown: true };
        }
        const t1 = performance.now();
        done.push({ kind: arrival.kind, ...result, ms: t1 - t0, waitedMs: t0 - arrivedAt, finishedAt: t1 - started });
        holder.busy = false;
      };
      if (arrival.kind === 'topup') {
        // A top-up is the holder's phone, not a window.
        inFlight.push(record(() => topup(holder, n)));
      } else {
        const client = clients[arrival.terminal]!;
        const turn = windows[arrival.terminal]!.then(() => record(() => sale(arrival.kind, holder, client)));
        windows[arrival.terminal] = turn;
        inFlight.push(turn);
      }
    }
    await Promise.all(inFlight);
    clearInterval(progress);
    const elapsedS = (performance.now() - started) / 1000;
    const lunchRequests = new Map(requests);

    // Capacity, as bench/qr-pay.ts measures it: QR sales back to back on every terminal at once (closed loop), between the two raw rounds.
    const backToBack: Done[] = [];
    let nextSale = 0;
    const capacityStarted = performance.now();
    await Promise.all(
      clients.map(async (client, t) => {
        for (let i = nextSale++; i < RAW_TRANSACTIONS; i = nextSale++) {
          const holder = holders[(t + i * TERMINALS) % holders.length]!;
          const t0 = performance.now();
          const result = await sale('qr', holder, client);
          backToBack.push({ kind: 'qr', ...result, ms: performance.now() - t0, waitedMs: 0, finishedAt: 0 });
        }
      }),
    );
    const capacity = { rate: RAW_TRANSACTIONS / ((performance.now() - capacityStarted) / 1000), p50: percentile(backToBack.map((d) => d.ms).sort((a, b) => a - b), 50) };
    const rawAfter = await rawRun(RAW_TRANSACTIONS);
    const raw = { rate: (rawBefore.rate + rawAfter.rate) / 2, p50: (rawBefore.p50 + rawAfter.p50) / 2 };

    // ---- figures
    const peakFrom = 0.3 * durationMs;
    const peakTo = 0.6 * durationMs;
    const inPeak = done.filter((d) => d.finishedAt >= peakFrom && d.finishedAt < peakTo);
    const peakRate = inPeak.length / ((peakTo - peakFrom) / 1000);
    console.log(`\n${HOLDERS} holders, ${TERMINALS} terminals, ${done.length} operations (${skipped} arrivals found no free holder) in ${elapsedS.toFixed(1)} s (lunch profile ${SECONDS} s; DynamoDB Local, this machine)`);
    console.log(`throughput: ${(done.length / elapsedS).toFixed(1)} ops/s overall, ${peakRate.toFixed(1)} ops/s in the peak (30-60 % of the profile)`);
    const row = (name: string, list: Done[]) => {
      const ms = list.map((d) => d.ms).sort((a, b) => a - b);
      const waited = list.map((d) => d.waitedMs).sort((a, b) => a - b);
      const ok = list.filter((d) => d.ok).length;
      return `  ${name.padEnd(9)} ${String(list.length).padStart(6)} ops ${(list.length / elapsedS).toFixed(1).padStart(7)} /s   ok ${String(ok).padStart(6)}   p50 ${percentile(ms, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(ms, 99).toFixed(1).padStart(7)} ms   queue p99 ${percentile(waited, 99).toFixed(0).padStart(6)} ms`;
    };
    for (const kind of KINDS) console.log(row(kind, done.filter((d) => d.kind === kind)));
    console.log(row('all', done));
    const errors = new Map<string, number>();
    for (const d of done) if (!d.ok) errors.set(`${d.kind} ${d.code}`, (errors.get(`${d.kind} ${d.code}`) ?? 0) + 1);
    console.log(`errors by code: ${errors.size === 0 ? 'none' : [...errors].map(([c, n]) => `${c} ×${n}`).join(', ')}`);
    const sales = { qr: done.filter((d) => d.kind === 'qr').length, card: done.filter((d) => d.kind === 'card').length };
    console.log(
      `terminal requests: ${lunchRequests.get('/v1/pos/qr-payments') ?? 0} qr-payments for ${sales.qr} QR sales, ${lunchRequests.get('/v1/pos/charges') ?? 0} charges for ${sales.card} card taps, ` +
        `${lunchRequests.get('/v1/pos/transactions/{posTxnId}') ?? 0} transaction queries (resends and queries are the client's retry rule at work)`,
    );

    // ---- the money check: every holder's purse is its opening, less what was sold, plus what was topped up.
    let exitCode = 0;
    const unknown = done.filter((d) => d.unknown).length;
    const unknownBackToBack = backToBack.filter((d) => d.unknown).length;
    const expected = HOLDERS * OPENING_FEN + [...done, ...backToBack].reduce((sum, d) => sum + (d.deltaFen ?? 0), 0);
    let actual = 0;
    for (let i = 0; i < HOLDERS; i += 50) {
      const accounts = await Promise.all(holders.slice(i, i + 50).map((h) => getAccount(deps.db, h.accountNo)));
      for (const account of accounts) actual += (account?.balanceFen ?? 0) + (account?.transitionalFen ?? 0);
    }
    const yuan = (fen: number) => (fen / 100).toFixed(2);
    console.log(`money check: holders hold ¥${yuan(actual)}, the bench's own count says ¥${yuan(expected)}: difference ¥${yuan(actual - expected)}${unknown + unknownBackToBack ? ` (${unknown + unknownBackToBack} operations with no known outcome)` : ''}`);
    if (actual !== expected && unknown + unknownBackToBack === 0) exitCode = 1;

    const report = await auditLedger(deps.db, { clock: deps.clock });
    console.log(`audit: ${report.accountsChecked} accounts, ${report.entriesChecked} ledger entries, ${report.findings.length} differences (${report.elapsedMs} ms)`);
    for (const finding of report.findings.slice(0, 10)) console.log(`  DIFFERENCE account ${finding.accountNo} [${finding.check}]: ${finding.problem}`);
    if (report.findings.length > 0) exitCode = 1;

    console.log(`raw TransactWriteItems (5 writes, ${TERMINALS} at once): ${raw.rate.toFixed(0)} /s, p50 ${raw.p50.toFixed(1)} ms (before ${rawBefore.rate.toFixed(0)} /s, after ${rawAfter.rate.toFixed(0)} /s)`);
    const failedBackToBack = backToBack.filter((d) => !d.ok).length;
    console.log(`QR sales back to back on ${TERMINALS} terminals (capacity): ${capacity.rate.toFixed(0)} /s, p50 ${capacity.p50.toFixed(1)} ms, ${failedBackToBack} not posted`);
    console.log(`ratio to raw transactions: capacity ${(capacity.rate / raw.rate).toFixed(2)} (QR sales back to back / raw), lunch peak ${(peakRate / raw.rate).toFixed(2)} (the peak as offered uses this share of the raw rate)`);
    return exitCode;
  } finally {
    await platform.close();
    await dynamodb.stop();
    await wechat.close();
    await alipay.close();
  }
}

/** The same five writes a QR payment commits, straight from the SDK, `concurrency` at once (as bench/qr-pay.ts). */
function rawTransactions(db: Db, holders: Holder[], concurrency: number) {
  let round = 0;
  return async (total: number): Promise<{ rate: number; p50: number }> => {
    const base = round++ * total;
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < total; i = next++) {
          const id = `${base + i}`;
          const accountNo = holders[((base + i) * 7919) % holders.length]!.accountNo;
          const t0 = performance.now();
          await db.doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: db.tableName,
                    Key: keys.account(accountNo),
                    UpdateExpression: 'SET rawBench = if_not_exists(rawBench, :zero) + :one',
                    ConditionExpression: 'attribute_exists(pk) AND #status = :active',
                    ExpressionAttributeNames: { '#status': 'status' },
                    ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':active': 'active' },
                  },
                },
                { Put: { TableName: db.tableName, Item: { pk: `RAW#${accountNo}`, sk: `LEDGER#${ulid()}`, amountFen: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } },
                { Put: { TableName: db.tableName, Item: { pk: `RAWIDEM#${id}`, sk: 'IDEM' }, ConditionExpression: 'attribute_not_exists(pk)' } },
                { Put: { TableName: db.tableName, Item: { pk: `RAWTOKEN#${id}`, sk: 'QRTOKEN', expiresAt: 0 }, ConditionExpression: 'attribute_not_exists(pk)' } },
                { Put: { TableName: db.tableName, Item: { pk: `RAWNONCE#${id}`, sk: 'NONCE', expiresAt: 0 }, ConditionExpression: 'attribute_not_exists(pk)' } },
              ],
            }),
          ).catch(() => undefined);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    return { rate: total / ((performance.now() - started) / 1000), p50: percentile(latencies, 50) };
  };
}

void main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
