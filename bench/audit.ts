/**
 * Benchmark: the ledger audit's throughput on DynamoDB Local, against the raw reads it is made of
 * (the same parallel scan and the same per-account Query, with no checks) in the same run. Seeds N
 * accounts × M ledger entries with BatchWriteItem (each account's purses, `after` and `lastEntryId`
 * exactly as movements write them, so the audit must find nothing), then runs raw, audit, raw, audit.
 *
 *   npm run bench:audit                                             (1,000 accounts × 20 entries)
 *   npm run bench:audit -- --accounts 50000 --entries 20            (the 1,000,000 entries)
 *   options: --segments 4 --concurrency 16 (the audit's defaults)
 *
 * Prints entries/s and the time of each round, and the audit's ratio to the raw reads. Figures only.
 */
import { parseArgs } from 'node:util';
import { auditAccountItems, rawAuditReads } from './audit-work';
import { batchSeed } from './seed';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local';
import { prepareEnvironment } from '../functions/local/platform';
import { auditLedger } from '../functions/services/audit';
import type { Db } from '../functions/store/db';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: process.env.BENCH_ACCOUNTS ?? '1000' },
    entries: { type: 'string', default: process.env.BENCH_ENTRIES ?? '20' },
    segments: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '16' },
  },
});
const ACCOUNTS = Number(values.accounts);
const ENTRIES = Number(values.entries);
const SEGMENTS = Number(values.segments);
const CONCURRENCY = Number(values.concurrency);

async function seed(db: Db): Promise<void> {
  const base = new Date(Date.now() - 86_400_000);
  const started = performance.now();
  const written = await batchSeed(db, ACCOUNTS, (unit) => auditAccountItems(String(10_000_000 + unit), base, ENTRIES));
  console.log(`seeded ${ACCOUNTS} accounts × ${ENTRIES} entries (${written} items) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The audit's reads alone: the same parallel scan and the same per-account Query, bounded the same way. */
function line(name: string, entries: number, ms: number): number {
  const rate = (entries * 1000) / ms;
  console.log(`  ${name.padEnd(5)} ${entries} entries in ${(ms / 1000).toFixed(2)} s: ${Math.round(rate)} entries/s`);
  return rate;
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'silent';
  const dynamodb = await startDynamoDbLocal();
  try {
    const { deps } = await prepareEnvironment(dynamodb.endpoint, `bench${Date.now()}`);
    await seed(deps.db);
    const raw: number[] = [];
    const audit: number[] = [];
    console.log(`rounds (${SEGMENTS} scan segments, ${CONCURRENCY} accounts at once):`);
    for (let round = 0; round < 2; round++) {
      let t = performance.now();
      const entries = await rawAuditReads(deps.db, SEGMENTS, CONCURRENCY);
      raw.push(line('raw', entries, performance.now() - t));
      t = performance.now();
      const report = await auditLedger(deps.db, { segments: SEGMENTS, concurrency: CONCURRENCY });
      audit.push(line('audit', report.entriesChecked, performance.now() - t));
      if (report.findings.length > 0) throw new Error(`the audit found ${report.findings.length} differences in a clean seed: ${report.findings[0]!.problem}`);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `audit: ${Math.round(mean(audit))} entries/s, ${((ACCOUNTS * ENTRIES) / mean(audit)).toFixed(1)} s for ${ACCOUNTS * ENTRIES} entries; ` +
        `raw scan+query ${Math.round(mean(raw))} entries/s; ratio ${(mean(audit) / mean(raw)).toFixed(2)}`,
    );
  } finally {
    await dynamodb.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
