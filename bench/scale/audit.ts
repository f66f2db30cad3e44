/**
 * Issue 17 item 5: the ledger audit at the campus's scale. Seeds `holders` accounts × 20 ledger
 * entries (50,000 → the issue's 1,000,000 entries) with bench/seed.ts batchSeed, each account's
 * purses, `after` and `lastEntryId` exactly as movements write them (so the audit must find
 * nothing), then times, in the same run: the raw reads the audit is made of (the same parallel scan
 * and per-account Query, no checks), and the audit itself with its progress lines (accounts and
 * entries done, rate, ETA). Prints the time, the peak memory, and what it means for the nightly
 * Lambda's 840 s budget. Figures only.
 *
 *   npx tsx bench/scale/audit.ts [--holders 2000] [--entries 20] [--segments 4] [--concurrency 16]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { auditAccountItems, rawAuditReads } from '../audit-work';
import { batchSeed } from '../seed';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local';
import { prepareEnvironment } from '../../functions/local/platform';
import { auditLedger } from '../../functions/services/audit';

export interface AuditScaleOptions {
  holders: number;
  entriesPerHolder?: number;
  segments?: number;
  concurrency?: number;
}

/** The nightly handler's budget (functions/handlers/audit-ledger.ts): 900 s Lambda timeout less a minute. */
const NIGHTLY_BUDGET_S = 840;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;

export async function run(options: AuditScaleOptions): Promise<void> {
  const accounts = options.holders;
  const perHolder = options.entriesPerHolder ?? 20;
  const segments = options.segments ?? 4;
  const concurrency = options.concurrency ?? 16;
  process.env.LOG_LEVEL = 'silent';
  const dynamodb = await startDynamoDbLocal();
  try {
    const { deps } = await prepareEnvironment(dynamodb.endpoint, `auditscale${Date.now()}`);
    const base = new Date(Date.now() - 86_400_000);
    let t = performance.now();
    const written = await batchSeed(deps.db, accounts, (unit) => auditAccountItems(String(20_000_000 + unit), base, perHolder), 10_000);
    const seedMs = performance.now() - t;
    console.log(`audit at scale: ${accounts} accounts × ${perHolder} entries = ${accounts * perHolder} entries (${written} items) seeded in ${seconds(seedMs)} (${Math.round((written * 1000) / seedMs)} items/s)`);

    let peakHeap = process.memoryUsage().heapUsed;
    const heapAtStart = peakHeap;
    t = performance.now();
    const cpuBefore = process.cpuUsage();
    const report = await auditLedger(deps.db, {
      segments,
      concurrency,
      expectedAccounts: accounts,
      progressEveryMs: accounts >= 10_000 ? 15_000 : 2_000,
      onProgress: (p) => {
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        console.log(
          `  audit progress: ${p.accountsChecked}/${accounts} accounts, ${p.entriesChecked} entries, ${p.entriesPerSecond} entries/s, ` +
            `${seconds(p.elapsedMs)} elapsed${p.etaMs !== undefined ? `, ETA ${seconds(p.etaMs)}` : ''}`,
        );
      },
    });
    const auditMs = performance.now() - t;
    // The audit process's own CPU (DynamoDB Local is another process): what the nightly Lambda must supply.
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    console.log(
      `  audit: ${report.accountsChecked} accounts, ${report.entriesChecked} entries in ${seconds(auditMs)} (${report.entriesPerSecond} entries/s), ` +
        `${report.findings.length} findings, complete ${report.complete}`,
    );
    // After the audit: DynamoDB Local is as warm for the raw reads as it was for the audit (the seed warmed it for both).
    t = performance.now();
    const rawEntries = await rawAuditReads(deps.db, segments, concurrency);
    const rawMs = performance.now() - t;
    console.log(`  raw scan + per-account Query (${segments} segments, ${concurrency} accounts at once): ${rawEntries} entries in ${seconds(rawMs)}, ${Math.round((rawEntries * 1000) / rawMs)} entries/s; the audit runs at ${(rawMs / auditMs).toFixed(2)} × the raw reads' rate`);
    console.log(`  memory: heap ${mb(heapAtStart)} before, ${mb(peakHeap)} at its peak (the nightly Lambda has 1,024 MB); rss ${mb(process.memoryUsage().rss)}`);
    const perMillion = ((auditMs / Math.max(1, report.entriesChecked)) * 1_000_000) / 1000;
    const cpuPerMillion = ((cpuMs / Math.max(1, report.entriesChecked)) * 1_000_000) / 1000;
    console.log(`  at this rate 1,000,000 entries take ${perMillion.toFixed(0)} s: ${((perMillion / NIGHTLY_BUDGET_S) * 100).toFixed(0)} % of the nightly Lambda's ${NIGHTLY_BUDGET_S} s budget`);
    // Lambda gives 1 vCPU at 1,769 MB: the 1,024 MB audit function gets about 0.58 of one.
    console.log(
      `  the audit's own CPU: ${(cpuMs / 1000).toFixed(1)} s (${((cpuMs * 1000) / Math.max(1, report.entriesChecked)).toFixed(0)} µs/entry); ` +
        `1,000,000 entries need ${cpuPerMillion.toFixed(0)} CPU-s, ${(cpuPerMillion / 0.58).toFixed(0)} s on the 1,024 MB Lambda's 0.58 vCPU`,
    );
    if (report.findings.length > 0) console.log(`  (a clean seed should have no findings; first: ${report.findings[0]!.problem})`);
  } finally {
    await dynamodb.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { holders: { type: 'string' }, entries: { type: 'string' }, segments: { type: 'string' }, concurrency: { type: 'string' } } });
  run({
    holders: Number(values.holders ?? 2_000),
    ...(values.entries ? { entriesPerHolder: Number(values.entries) } : {}),
    ...(values.segments ? { segments: Number(values.segments) } : {}),
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
  }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
