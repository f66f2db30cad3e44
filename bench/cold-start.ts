/**
 * Benchmark: what a Lambda cold start loads. Each function below is bundled exactly as the deploy bundles it
 * (scripts/lambda-bundle.mjs: ESM split into chunks, one esbuild run per function), zipped as the deploy zips
 * it, and loaded in fresh Node processes: the time from the first line to the handler module ready (what
 * Lambda's init phase spends on our code before the first request). Beside it, in the same run, the raw
 * DynamoDB floor: a bundle of only the DynamoDB document client, bundled the same way, which any function of
 * ours needs; and the QR handler as the single CommonJS file it was before (serverless-esbuild), for the change.
 *
 *   npm run bench:cold-start            (BENCH_LOADS=15 fresh processes per bundle)
 *
 * Targets (issue 17): the QR payment handler loads in ≤ 50 ms and zips to ≤ 1 MB. Figures only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadServerlessConfig, PROJECT_ROOT } from '../functions/local/serverless-config';
import { bundleFunction, staticBytes, zipBundle } from '../scripts/lambda-bundle.mjs';

const LOADS = Number(process.env.BENCH_LOADS ?? 15);
const FUNCTIONS = ['qrPayment', 'posCharge', 'holderApi', 'adminApi', 'paymentNotificationsApi'];
/** An area function loads its dispatcher at init and a route's module on that route's first request: both are timed, with this route. */
const AREA_ROUTE: Record<string, string> = {
  holderApi: 'GET /v1/holder/account',
  adminApi: 'GET /v1/admin/dashboard',
  paymentNotificationsApi: 'POST /v1/payments/wechat/notify',
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** A fresh Node process's script: from its first line to the module loaded (and an area's route module), in ms. */
function loadScript(file: string, exportName: string, routeKey?: string): string {
  const route = routeKey ? `const r = m[${JSON.stringify(exportName)}].routes[${JSON.stringify(routeKey)}]; if (!r) throw new Error('no route ${routeKey}'); await r();` : '';
  return `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); if (!m[${JSON.stringify(exportName)}]) throw new Error('no ${exportName}'); ${route} process.stdout.write(String(performance.now() - t));`;
}

const timeOnce = (script: string) =>
  Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } }).toString());

interface Bundled {
  label: string;
  script: string;
  zip: number;
  /** Bytes evaluated at init (an area's dispatcher only: its routes' modules load on their first request). */
  loaded: number;
  times: number[];
}

async function prepare(root: string, label: string, name: string, handler: string, options = {}, routeKey?: string): Promise<Bundled> {
  const dir = join(root, name);
  const { entryFile, exportName, metafile } = await bundleFunction({ root: PROJECT_ROOT, handler, outDir: dir, options });
  return { label, script: loadScript(entryFile, exportName, routeKey), zip: zipBundle(dir, join(root, `${name}.zip`)), loaded: staticBytes(metafile), times: [] };
}

async function main(): Promise<void> {
  const { raw } = loadServerlessConfig({ stage: 'bench' });
  const functions = raw.functions as Record<string, { handler: string }>;
  const root = mkdtempSync(join(tmpdir(), 'cold-start-'));
  try {
    console.log(`cold start: bundles as deployed (scripts/lambda-bundle.mjs), ${LOADS} fresh processes each, taken in turns (a busy moment hits every bundle alike); "loads" = the code evaluated before the handler is ready`);
    // The floor: the DynamoDB document client's code alone (loaded, not constructed: our handlers make their client on first use).
    writeFileSync(join(root, 'floor.ts'), `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const handler = [DynamoDBClient, DynamoDBDocumentClient];\n`);
    const bundles = [await prepare(root, 'raw DynamoDB client (floor)', 'raw-dynamodb', join(root, 'floor.handler'), { nodePaths: [join(PROJECT_ROOT, 'node_modules')] })];
    for (const name of FUNCTIONS) {
      const handler = functions[name]?.handler;
      if (!handler) throw new Error(`no function ${name} in serverless.yml`);
      const routeKey = AREA_ROUTE[name];
      bundles.push(await prepare(root, routeKey ? `${name} + ${routeKey}` : name, name, handler, {}, routeKey));
    }
    // Before (serverless-esbuild): one minified CommonJS file per function, the packages' CommonJS builds.
    bundles.push(await prepare(root, 'qrPayment as one CJS file (before)', 'qrPayment-cjs', functions.qrPayment!.handler, { format: 'cjs', splitting: false, mainFields: ['main', 'module'], outExtension: { '.js': '.cjs' }, banner: {} }));
    for (let i = 0; i < LOADS; i++) for (const bundle of bundles) bundle.times.push(timeOnce(bundle.script));
    const floor = median(bundles[0]!.times);
    for (const bundle of bundles) {
      const ms = median(bundle.times);
      const ratio = bundle === bundles[0] ? '' : ` (${(ms / floor).toFixed(2)}× the floor)`;
      console.log(`  ${bundle.label.padEnd(58)} load ${ms.toFixed(1).padStart(6)} ms, fastest ${Math.min(...bundle.times).toFixed(1).padStart(6)} ms${ratio.padEnd(20)}   loads ${kb(bundle.loaded).padStart(7)}   zip ${kb(bundle.zip).padStart(7)}`);
    }
    console.log('  targets: qrPayment loads in ≤ 50 ms and zips to ≤ 1024 KB');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
