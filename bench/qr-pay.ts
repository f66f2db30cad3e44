/**
 * Benchmark: pay-by-QR through the real HTTP stack (signed terminal requests → local runner → the
 * Lambda handler → DynamoDB Local), against the raw TransactWriteItems rate of the same DynamoDB
 * Local in the same run (a transaction of the same five writes a QR payment commits: account,
 * ledger entry, idempotency record, used token, terminal nonce, sent straight from the SDK).
 * Raw and HTTP rounds alternate (twice each) so that drift of the machine hits both alike.
 *
 *   npm run bench            (BENCH_ACCOUNTS=1000 BENCH_CONCURRENCY=32 BENCH_PAYMENTS=3000)
 *
 * Prints both rates, their ratio and p50/p99 latency. Figures only: nothing here passes or fails.
 */
import { randomBytes } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { benchHolderWithPhone, type BenchPhone } from './seed';
import type { Terminal } from '../functions/domain/merchant';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local';
import { startLocalPlatform } from '../functions/local/platform';
import { keys } from '../functions/store/keys';
import { createTerminal, putMerchant } from '../functions/store/terminals';
import { signQrToken, timeStepAt } from '../shared/qr-token';
import { signTerminalRequest } from '../shared/terminal-signature';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 3_000);

interface Run {
  rate: number;
  p50: number;
  p99: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `total` jobs over `concurrency` workers; returns throughput and latency percentiles. */
async function drive(total: number, concurrency: number, job: (i: number) => Promise<boolean>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        if (!(await job(i))) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'silent';
  process.env.SESSION_SECRET ??= randomBytes(32).toString('base64url');
  const dynamodb = await startDynamoDbLocal();
  const platform = await startLocalPlatform({ dynamodbEndpoint: dynamodb.endpoint, stage: `bench${Date.now()}`, port: 0 });
  const { deps } = platform;
  try {
    console.log(`setting up ${ACCOUNTS} accounts with phones and ${CONCURRENCY} terminals on DynamoDB Local ...`);
    const now = new Date();
    const phones: BenchPhone[] = [];
    for (let i = 0; i < ACCOUNTS; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, ACCOUNTS - i) }, async (_, j) => {
          phones.push(await benchHolderWithPhone(deps, String(300_000 + i + j), now));
        }),
      );
    }
    const terminals: Terminal[] = [];
    await putMerchant(deps.db, { merchantId: 'MBENCH', name: '压测食堂', category: 'canteen', status: 'active', createdAt: now.toISOString() });
    for (let t = 0; t < CONCURRENCY; t++) {
      const terminal: Terminal = { terminalId: `POS-BENCH-${t}`, merchantId: 'MBENCH', place: `窗口 ${t}`, secret: randomBytes(24).toString('base64url'), status: 'active', createdAt: now.toISOString() };
      await createTerminal(deps.db, terminal);
      terminals.push(terminal);
    }

    // The same writes a QR payment commits: account (conditional), ledger entry, idempotency record, used token, nonce.
    let rawRound = 0;
    const rawRun = () => drive(PAYMENTS, CONCURRENCY, async (i) => {
      i += rawRound * PAYMENTS;
      const accountNo = String(300_000 + ((i * 7919) % ACCOUNTS));
      const entryId = ulid();
      const table = deps.db.tableName;
      try {
        await deps.db.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.account(accountNo),
                  UpdateExpression: 'SET rawBench = if_not_exists(rawBench, :zero) + :one',
                  ConditionExpression: 'attribute_exists(pk) AND #status = :active',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':active': 'active' },
                },
              },
              { Put: { TableName: table, Item: { pk: `RAW#${accountNo}`, sk: `LEDGER#${entryId}`, amountFen: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: table, Item: { pk: `RAWIDEM#${i}`, sk: 'IDEM', entryId }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: table, Item: { pk: `RAWTOKEN#${i}`, sk: 'QRTOKEN', expiresAt: 0 }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: table, Item: { pk: `RAWNONCE#${i}`, sk: 'NONCE', expiresAt: 0 }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return true;
      } catch {
        return false;
      }
    });

    // Codes are drawn before the clock starts: signing is the phone's work, not the server's.
    const counters = new Map<string, number>();
    const draw = (offset: number) => Array.from({ length: PAYMENTS }, (_, j) => {
      const i = offset + j;
      const step = timeStepAt(Date.now());
      const phone = phones[(i * 7919) % phones.length]!;
      const counter = counters.get(`${phone.keyId}.${step}`) ?? 0;
      counters.set(`${phone.keyId}.${step}`, counter + 1);
      return {
        terminal: terminals[i % terminals.length]!,
        body: JSON.stringify({ posTxnId: `b${i}`, token: signQrToken({ version: 1, purpose: 'pay', keyId: phone.keyId, timeStep: step, counter }, phone.privateKey), amountFen: 100 }),
      };
    });
    const failures = new Map<string, number>();
    const httpRun = (requests: ReturnType<typeof draw>) => drive(PAYMENTS, CONCURRENCY, async (i) => {
      const { terminal, body } = requests[i]!;
      const headers = signTerminalRequest(terminal, { method: 'POST', path: '/v1/pos/qr-payments', body, now: new Date(), nonce: randomBytes(12).toString('base64url') });
      const response = await fetch(`${platform.url}/v1/pos/qr-payments`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
      const text = await response.text();
      if (response.status !== 200) failures.set(text.slice(0, 60), (failures.get(text.slice(0, 60)) ?? 0) + 1);
      return response.status === 200;
    });

    const rounds: { raw: Run; http: Run }[] = [];
    for (let round = 0; round < 2; round++) {
      rawRound = round;
      const raw = await rawRun();
      const http = await httpRun(draw(round * PAYMENTS));
      rounds.push({ raw, http });
    }
    const mean = (pick: (r: { raw: Run; http: Run }) => Run): Run => ({
      rate: rounds.reduce((s, r) => s + pick(r).rate, 0) / rounds.length,
      p50: rounds.reduce((s, r) => s + pick(r).p50, 0) / rounds.length,
      p99: Math.max(...rounds.map((r) => pick(r).p99)),
      errors: rounds.reduce((s, r) => s + pick(r).errors, 0),
    });
    const raw = mean((r) => r.raw);
    const http = mean((r) => r.http);
    const row = (name: string, run: Run) =>
      `${name.padEnd(34)} ${run.rate.toFixed(0).padStart(6)} /s   p50 ${run.p50.toFixed(1).padStart(6)} ms   p99 ${run.p99.toFixed(1).padStart(6)} ms   errors ${run.errors}`;
    console.log(`\n${PAYMENTS} payments per round, 2 rounds each, ${ACCOUNTS} accounts, ${CONCURRENCY} concurrent terminals (DynamoDB Local, this machine)`);
    rounds.forEach((r, n) => {
      console.log(row(`round ${n + 1}: raw TransactWriteItems`, r.raw));
      console.log(row(`round ${n + 1}: pay-by-QR over HTTP`, r.http));
    });
    console.log(row('raw TransactWriteItems (5 writes)', raw));
    console.log(row('pay-by-QR over HTTP', http));
    console.log(`ratio (QR over HTTP / raw transactions): ${(http.rate / raw.rate).toFixed(2)}   (target ≥ 0.80)`);
    if (failures.size) console.log('failures:', Object.fromEntries(failures));
  } finally {
    await platform.close();
    await dynamodb.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
