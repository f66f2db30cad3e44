/**
 * `npm run chaos`: the crash harness's long form (bench/chaos/harness.ts, docs/chaos.md). Starts its own
 * DynamoDB Local (in memory), prints the figures and exits 1 if the books are not exact.
 * Options: --operations N (2000), --kills N (20), --seed N (random), --concurrency N (6),
 * --fault-rate P (0.02), --drop-rate P (0.02), --compression N (1000), --verbose.
 */
import { parseArgs } from 'node:util';
import { formatReport, verdict } from './report';
import { runChaos } from './harness';

const { values } = parseArgs({
  options: {
    operations: { type: 'string' },
    kills: { type: 'string' },
    seed: { type: 'string' },
    concurrency: { type: 'string' },
    'fault-rate': { type: 'string' },
    'drop-rate': { type: 'string' },
    compression: { type: 'string' },
    verbose: { type: 'boolean' },
  },
});
const number = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
const seed = number(values.seed, Math.floor(Math.random() * 2 ** 31));
console.log(`chaos: seed ${seed} (run again with --seed ${seed})`);
const report = await runChaos({
  operations: number(values.operations, 2_000),
  kills: number(values.kills, 20),
  seed,
  concurrency: number(values.concurrency, 6),
  faultRate: number(values['fault-rate'], 0.02),
  dropRate: number(values['drop-rate'], 0.02),
  compression: number(values.compression, 1_000),
  log: (line) => {
    if (values.verbose || !line.startsWith('api: ')) console.error(line);
  },
});
console.log(formatReport(report));
process.exit(verdict(report).ok ? 0 : 1);
