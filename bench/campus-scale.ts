/**
 * Benchmark: a campus at scale (issue 17), every part in one run, each figure beside the same work
 * done raw against DynamoDB Local in the same run where there is one:
 *   seed      the campus seeded with batch writes (rate), against the raw writes of the same items
 *   bundle    the offline bundle's bytes and build time (full and delta) at several sizes
 *   history   one account with thousands of entries: p50/p99 of the first page and a month's statement
 *   cpu       CPU per QR payment in the API process, against the raw DynamoDB calls of the same run
 *   audit     the ledger audit's time and rate in parallel segments
 *   cold      each function's bundle load and zip (npm run bench:cold-start)
 *
 *   npm run bench:scale                          (a quick run: 2,000 holders)
 *   npm run bench:scale -- --holders 50000       (the campus; long: tens of minutes)
 *   npm run bench:scale -- --only bundle,cpu     (some parts)
 *
 * Figures only: nothing here passes or fails.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../functions/local/serverless-config';

const { values } = parseArgs({
  options: {
    holders: { type: 'string', default: process.env.BENCH_HOLDERS ?? '2000' },
    only: { type: 'string', default: 'seed,bundle,history,cpu,audit,cold' },
  },
});
const holders = Number(values.holders);
const parts = new Set(values.only.split(',').map((part) => part.trim()));

const PARTS: { name: string; run: () => Promise<void> }[] = [
  { name: 'seed', run: async () => (await import('./scale/seed')).run({ holders }) },
  { name: 'bundle', run: async () => (await import('./scale/bundle')).run({ holders }) },
  { name: 'history', run: async () => (await import('./scale/history')).run({ holders }) },
  { name: 'cpu', run: async () => (await import('./scale/cpu')).run({ holders }) },
  { name: 'audit', run: async () => (await import('./scale/audit')).run({ holders }) },
  // In its own process: it measures fresh processes' loads, and bundles with esbuild.
  { name: 'cold', run: async () => void execFileSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench/cold-start.ts')], { stdio: 'inherit' }) },
];

async function main(): Promise<void> {
  const unknown = [...parts].filter((part) => !PARTS.some(({ name }) => name === part));
  if (unknown.length) throw new Error(`unknown parts: ${unknown.join(', ')} (known: ${PARTS.map(({ name }) => name).join(', ')})`);
  console.log(`campus at scale: ${holders.toLocaleString('en')} holders; parts: ${[...parts].join(', ')}`);
  for (const part of PARTS) {
    if (!parts.has(part.name)) continue;
    const started = Date.now();
    console.log(`\n== ${part.name}`);
    await part.run();
    console.log(`(${part.name}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
