/**
 * The API process of bench/scale/cpu.ts: the local HTTP API in its own process (forked), so that
 * process.cpuUsage() is the server's work only, never the terminals'. Answers the parent over IPC:
 * `cpu` (its CPU so far and the DynamoDB calls it made, by command), `raw` (the same mix of calls
 * sent straight from the SDK, with its CPU), `exit` (so --cpu-prof writes its profile).
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalPlatform } from '../../functions/local/platform';
import { keys } from '../../functions/store/keys';

export type ApiRequest = { type: 'cpu' } | { type: 'raw'; calls: Record<string, number>; concurrency: number; accounts: string[] } | { type: 'exit' };
export type ApiReply = { type: 'ready'; url: string } | { type: 'cpu'; cpuMicros: number; calls: Record<string, number> } | { type: 'raw'; cpuMicros: number; ms: number };

/** Ids of the raw run's rows, unique across its rounds. */
let serial = 0;

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function main(): Promise<void> {
  const endpoint = process.env.CPU_BENCH_ENDPOINT!;
  const platform = await startLocalPlatform({ dynamodbEndpoint: endpoint, stage: process.env.CPU_BENCH_STAGE!, port: 0 });
  const { db } = platform.deps;
  // Every DynamoDB call the API makes, by command: the raw run repeats exactly this mix.
  const calls: Record<string, number> = {};
  (db.doc as DynamoDBDocumentClient).middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      calls[name] = (calls[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'cpuBenchCount' },
  );
  const send = (message: ApiReply) => process.send!(message);

  /** The calls of `mix` sent raw: a TransactWrite of a payment's five writes, a Get of an account, a Put of a row. */
  async function raw(mix: Record<string, number>, concurrency: number, accounts: string[]): Promise<void> {
    const jobs: string[] = [];
    for (const [command, count] of Object.entries(mix)) for (let i = 0; i < count; i++) jobs.push(command);
    // Interleaved as the payments interleave them.
    for (let i = jobs.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
    }
    const table = db.tableName;
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < jobs.length; i = next++) {
          const accountNo = accounts[i % accounts.length]!;
          // A counter, not a ULID: the raw run's own id making must not count as the SDK's work.
          const id = `${process.pid}-${serial++}`;
          if (jobs[i]!.startsWith('TransactWrite')) {
            await db.doc.send(
              new TransactWriteCommand({
                TransactItems: [
                  {
                    Update: {
                      TableName: table,
                      Key: keys.account(accountNo),
                      UpdateExpression: 'SET rawBench = if_not_exists(rawBench, :zero) + :one',
                      ConditionExpression: 'attribute_exists(pk)',
                      ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
                    },
                  },
                  { Put: { TableName: table, Item: { pk: `RAW#${accountNo}`, sk: `LEDGER#${id}`, amountFen: 100, channel: 'qr', createdAt: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(pk)' } },
                  { Put: { TableName: table, Item: { pk: `RAWIDEM#${id}`, sk: 'IDEM', entryId: id }, ConditionExpression: 'attribute_not_exists(pk)' } },
                  { Put: { TableName: table, Item: { pk: `RAWTOKEN#${id}`, sk: 'QRTOKEN', expiresAt: 0 }, ConditionExpression: 'attribute_not_exists(pk)' } },
                  { Put: { TableName: table, Item: { pk: `RAWNONCE#${id}`, sk: 'NONCE', expiresAt: 0 }, ConditionExpression: 'attribute_not_exists(pk)' } },
                ],
              }),
            );
          } else {
            // Gets (and the odd Put or Update: a terminal seen): one read of an account, the size the API reads.
            await db.doc.send(new GetCommand({ TableName: table, Key: keys.account(accountNo), ConsistentRead: true }));
          }
        }
      }),
    );
  }

  process.on('message', (message: ApiRequest) => {
    void (async () => {
      if (message.type === 'cpu') send({ type: 'cpu', cpuMicros: cpuMicros(), calls: { ...calls } });
      else if (message.type === 'raw') {
        const before = cpuMicros();
        const t0 = performance.now();
        await raw(message.calls, message.concurrency, message.accounts);
        send({ type: 'raw', cpuMicros: cpuMicros() - before, ms: performance.now() - t0 });
      } else {
        await platform.close();
        process.exit(0);
      }
    })();
  });
  send({ type: 'ready', url: platform.url });
}

process.env.LOG_LEVEL = 'silent';
process.env.SESSION_SECRET ??= randomBytes(32).toString('base64url');
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
