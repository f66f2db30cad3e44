/**
 * Issue 17 item 1: seeding a campus of N holders (scripts/seed-campus.ts, what `npm run seed` runs)
 * on an in-memory DynamoDB Local, beside the same items written raw in the same run (the same
 * 25-item BatchWriteItems from the same number of writers, into a second table, without the
 * seed's existence check or its account-last order), then the seed again over the seeded campus
 * (a rerun: reads only), after an untimed warm-up. Prints items/s, holders/s and the time of each. Figures only.
 *
 *   npx tsx bench/scale/seed.ts [--holders 2000] [--concurrency 8]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local';
import { prepareEnvironment } from '../../functions/local/platform';
import type { Db } from '../../functions/store/db';
import { campusHolderItems, seedCampus, type SeedContext, type SeedReport } from '../../scripts/seed-campus';

export interface SeedOptions {
  holders: number;
  concurrency?: number;
}

/** The same holders' items, written with no reads and in no particular order: what the seed's writes cost alone. */
async function rawWrites(context: SeedContext, holders: number, concurrency: number): Promise<{ items: number; ms: number }> {
  const started = performance.now();
  let next = 0;
  let items = 0;
  const writer = async () => {
    while (next < holders) {
      const chunk = Array.from({ length: Math.min(20, holders - next) }, (_, i) => next + i);
      next += chunk.length;
      const built = await Promise.all(chunk.map((n) => campusHolderItems(context, n)));
      const all = built.flatMap((holder) => [...holder.items, holder.account]);
      for (let i = 0; i < all.length; i += 25) {
        let requests = all.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
        while (requests.length) {
          const out = await context.db.doc.send(new BatchWriteCommand({ RequestItems: { [context.db.tableName]: requests } }));
          requests = (out.UnprocessedItems?.[context.db.tableName] ?? []) as typeof requests;
        }
      }
      items += all.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
  return { items, ms: performance.now() - started };
}

const line = (name: string, report: Pick<SeedReport, 'items' | 'elapsedMs'>, holders: number) =>
  console.log(
    `  ${name.padEnd(22)} ${String(report.items).padStart(8)} items in ${(report.elapsedMs / 1000).toFixed(1).padStart(6)} s: ` +
      `${Math.round((report.items * 1000) / report.elapsedMs)} items/s, ${Math.round((holders * 1000) / report.elapsedMs)} holders/s`,
  );

export async function run(options: SeedOptions): Promise<void> {
  const concurrency = options.concurrency ?? 8;
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'silent';
  const dynamodb = await startDynamoDbLocal();
  try {
    const stage = `bench${Date.now()}`;
    const { deps } = await prepareEnvironment(dynamodb.endpoint, stage);
    const rawDb: Db = { doc: deps.db.doc, tableName: (await prepareEnvironment(dynamodb.endpoint, `${stage}raw`)).deps.db.tableName };
    const now = new Date();
    // Each writes its own password records (one scrypt per distinct default password), as a seed run does.
    // DynamoDB Local's JVM and this process warm up first (into a table of their own), so neither timed run pays for it.
    const warmDb: Db = { doc: deps.db.doc, tableName: (await prepareEnvironment(dynamodb.endpoint, `${stage}warm`)).deps.db.tableName };
    await seedCampus({ db: warmDb, identitySecret: 'bench', now }, { holders: Math.min(1_000, options.holders), concurrency });
    console.log(`seed: ${options.holders} holders, ${concurrency} writers (npm run seed)`);
    const seeded = await seedCampus({ db: deps.db, identitySecret: 'bench', now }, { holders: options.holders, concurrency });
    line('seed', seeded, options.holders);
    const raw = await rawWrites({ db: rawDb, identitySecret: 'bench', now }, options.holders, concurrency);
    line('raw BatchWriteItem', { items: raw.items, elapsedMs: raw.ms }, options.holders);
    const rerun = await seedCampus({ db: deps.db, identitySecret: 'bench', now }, { holders: options.holders, concurrency });
    console.log(`  ${'rerun (all there)'.padEnd(22)} ${rerun.created} created, ${rerun.skipped} skipped in ${(rerun.elapsedMs / 1000).toFixed(1)} s (${rerun.holdersPerSecond} holders/s)`);
    console.log(`  seed / raw: ${(raw.ms / seeded.elapsedMs).toFixed(2)} of the raw write rate (${(seeded.items / options.holders).toFixed(1)} items per holder)`);
  } finally {
    await dynamodb.stop();
    if (previous === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = previous;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { holders: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' } } });
  run({ holders: Number(values.holders), concurrency: Number(values.concurrency) }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
