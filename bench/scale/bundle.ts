/**
 * Benchmark part (issue 17 item 2): the offline bundle at 5,000, 20,000 and 50,000 holders, each with
 * an active phone key. For each size: the raw Query of the active keys + BatchGet of their accounts
 * (the items every original bundle reads), the original bundle (built per request), format 2's full
 * bundle (the hourly snapshot's build, and serving it from the stored snapshot in a cold container),
 * and a delta after 1% of the accounts' caps changed and 0.2% new phones. Bytes raw and gzipped,
 * beside Lambda's 6 MB response limit. Figures only.
 *
 *   npx tsx bench/scale/bundle.ts                 (2,000 holders: a quick run)
 *   npx tsx bench/scale/bundle.ts --holders 50000 (5,000, 20,000 and 50,000)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../../functions/deps';
import { campusDay } from '../../functions/domain/campus-day';
import type { Terminal } from '../../functions/domain/merchant';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local';
import { prepareEnvironment } from '../../functions/local/platform';
import { buildCompactBundle, buildOfflineBundle, BUNDLE_SNAPSHOT_MINUTES } from '../../functions/services/offline';
import { getAccounts } from '../../functions/store/accounts';
import { listActiveDeviceKeys } from '../../functions/store/device-keys';
import { keys } from '../../functions/store/keys';
import { forgetSnapshots } from '../../functions/store/offline-bundles';
import { batchSeed, benchAccount } from '../seed';

const LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024;
const SIZES = [5_000, 20_000, 50_000];

/** A holder's account and its active phone key, as registerDeviceKey writes them. */
function holderItems(unit: number, now: Date): Record<string, unknown>[] {
  const accountNo = String(20_000_000 + unit);
  const keyId = 1_000_000 + unit * 7;
  const createdAt = now.toISOString();
  const account = { ...benchAccount(accountNo, { balanceFen: 1_000 + (unit % 50) * 1_000, version: 1, dailySpentDay: campusDay(now), createdAt }), activeDeviceKeyId: keyId };
  return [
    { ...keys.account(accountNo), ...keys.personIndex(account.personId), ...account },
    {
      ...keys.deviceKey(keyId),
      gsi1pk: 'DEVKEY#ACTIVE',
      gsi1sk: String(keyId),
      ...keys.accountDeviceKeyIndex(accountNo, createdAt, keyId),
      keyId,
      accountNo,
      publicKey: randomBytes(32).toString('base64url'),
      status: 'active',
      createdAt,
    },
  ];
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (started: number) => `${(performance.now() - started).toFixed(0)} ms`;

function sizes(body: unknown): { raw: number; gzip: number; text: string } {
  const json = JSON.stringify(body);
  const raw = Buffer.byteLength(json);
  const gzip = gzipSync(json).length;
  // What Lambda answers a client that takes gzip (functions/http/compression.ts): the gzip, base64-encoded.
  const served = Math.ceil(gzip / 3) * 4;
  const share = (bytes: number) => `${((bytes / LAMBDA_RESPONSE_BYTES) * 100).toFixed(0)}% of 6 MB`;
  return { raw, gzip, text: `${kb(raw)} raw (${share(raw)}), ${kb(gzip)} gzip, served as ${kb(served)} base64 (${share(served)})` };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; took: string }> {
  const started = performance.now();
  const value = await work();
  return { value, took: ms(started) };
}

export async function run(options: { holders: number }): Promise<void> {
  const steps = [...SIZES.filter((n) => n < options.holders), options.holders];
  const dynamodb = await startDynamoDbLocal();
  try {
    const { deps: base } = await prepareEnvironment(dynamodb.endpoint, `bundle${Date.now()}`);
    let clock = Date.now();
    const deps: Deps = { ...base, clock: () => new Date(clock) };
    const terminal = { terminalId: 'POS-BENCH-01', merchantId: 'MBENCH' } as Terminal;
    let seeded = 0;
    console.log(`offline bundle: holders each with an active phone key; the snapshot is rebuilt at most every ${BUNDLE_SNAPSHOT_MINUTES} min`);
    for (const holders of steps) {
      const seedStarted = performance.now();
      const from = seeded;
      await batchSeed(deps.db, holders - from, (unit) => holderItems(from + unit, deps.clock()));
      seeded = holders;
      console.log(`\n${holders} holders (seeded ${holders - from} more in ${ms(seedStarted)})`);

      const raw = await timed(async () => {
        const active = await listActiveDeviceKeys(deps.db);
        return { keys: active.length, accounts: (await getAccounts(deps.db, active.map((key) => key.accountNo))).length };
      });
      console.log(`  raw Query of ${raw.value.keys} keys + BatchGet of ${raw.value.accounts} accounts: ${raw.took}`);

      const original = await timed(() => buildOfflineBundle(deps, terminal));
      console.log(`  original bundle, every request: ${original.took}, ${sizes(original.value).text}`);

      clock += BUNDLE_SNAPSHOT_MINUTES * 60_000 + 1;
      const built = await timed(() => buildCompactBundle(deps, terminal));
      const full = sizes(built.value);
      console.log(`  format 2 full, snapshot built (once an interval for the campus): ${built.took}, ${full.text}`);
      forgetSnapshots();
      const served = await timed(() => buildCompactBundle(deps, terminal));
      console.log(`  format 2 full, from the stored snapshot (cold container): ${served.took}`);
      const warm = await timed(() => buildCompactBundle(deps, terminal));
      console.log(`  format 2 full, warm container: ${warm.took}`);
      console.log(`  at 60,000 holders (×${(60_000 / holders).toFixed(2)}): original ~${kb((sizes(original.value).raw * 60_000) / holders)}, format 2 ~${kb((full.raw * 60_000) / holders)} raw, ~${kb((full.gzip * 60_000) / holders)} gzip`);

      // A day's worth of change: 1% of the accounts spent or topped up (their cap moved), 0.2% new phones.
      const changed = Math.max(1, Math.floor(holders / 100));
      await Promise.all(
        Array.from({ length: changed }, (_, i) =>
          deps.db.doc.send(
            new UpdateCommand({ TableName: deps.db.tableName, Key: keys.account(String(20_000_000 + ((i * 97) % holders))), UpdateExpression: 'SET balanceFen = :b', ExpressionAttributeValues: { ':b': 100 + ((holders + i) % 900) } }),
          ),
        ),
      );
      const added = Math.max(1, Math.floor(holders / 500));
      await batchSeed(deps.db, added, (unit) => holderItems(10_000_000 + seeded + unit, deps.clock()));
      clock += BUNDLE_SNAPSHOT_MINUTES * 60_000 + 1;
      await buildCompactBundle(deps, terminal); // the next interval's snapshot, built by the first terminal to ask
      forgetSnapshots();
      const delta = await timed(() => buildCompactBundle(deps, terminal, built.value.version));
      const d = delta.value;
      console.log(
        `  format 2 delta (${changed} caps changed, ${added} new phones): ${delta.took} (cold container), ${d.full ? 'FULL?' : `${d.upsert.length} rows, ${d.remove.length} removed`}, ${sizes(d).text}`,
      );
      // The delta's new phones stay: the next size has 0.2% more keys than holders.
    }
  } finally {
    await dynamodb.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { holders: { type: 'string', default: process.env.BENCH_HOLDERS ?? '2000' } } });
  await run({ holders: Number(values.holders) });
}
