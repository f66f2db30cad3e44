/**
 * Benchmark: what a Lambda cold start loads. Each function below is bundled exactly as the deploy
 * bundles it (serverless.yml `custom.esbuild`, read from the file), zipped as the deploy zips it
 * (the bundle and its source map, if any, with the system's zip as nativeZip does), and loaded in fresh Node processes: the time from the
 * first line to the handler module being ready (what Lambda's init phase spends on our code before
 * the first request). Beside it, in the same run, the raw DynamoDB floor: a bundle of only the
 * DynamoDB document client, which any function of ours needs.
 *
 *   npm run bench:cold-start            (BENCH_LOADS=15 fresh processes per bundle)
 *
 * Targets (issue 17): the QR payment handler loads in ≤ 50 ms and zips to ≤ 1 MB. Figures only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { loadServerlessConfig, PROJECT_ROOT } from '../functions/local/serverless-config';

const LOADS = Number(process.env.BENCH_LOADS ?? 15);
const FUNCTIONS = ['qrPayment', 'getHolderAccount', 'wechatPayNotification', 'getDashboard'];

interface Bundle {
  name: string;
  dir: string;
  file: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** serverless.yml's esbuild options, as serverless-esbuild hands them to esbuild. */
function deployOptions(): BuildOptions {
  const { raw } = loadServerlessConfig({ stage: 'bench' });
  const { bundle, minify, sourcemap, keepNames, target, platform, format, external } = (raw.custom as { esbuild: BuildOptions }).esbuild;
  return { bundle, minify, sourcemap, keepNames, target, platform, format, ...(external ? { external } : {}) };
}

async function bundleOf(name: string, entry: string, options: BuildOptions, root: string): Promise<Bundle> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  await build({ ...options, entryPoints: [entry], outfile: join(dir, 'index.js'), logLevel: 'error' });
  return { name, dir, file: join(dir, 'index.js') };
}

function zipBytes(bundle: Bundle): number {
  const zip = join(bundle.dir, '..', `${bundle.name}.zip`);
  // As serverless.yml's nativeZip does: the system's zip at its default level.
  execFileSync('zip', ['-q', '-r', zip, '.'], { cwd: bundle.dir });
  return statSync(zip).size;
}

/** Milliseconds from the first line of a fresh process to the module loaded (require), median of LOADS. */
function loadTime(file: string, exportName: string): number {
  const script = `const t = performance.now(); const m = require(${JSON.stringify(file)}); if (!m[${JSON.stringify(exportName)}]) throw new Error('no ${exportName}'); process.stdout.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < LOADS; i++) times.push(Number(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } }).toString()));
  return median(times);
}

async function main(): Promise<void> {
  const options = deployOptions();
  const { raw } = loadServerlessConfig({ stage: 'bench' });
  const functions = raw.functions as Record<string, { handler: string }>;
  const root = mkdtempSync(join(tmpdir(), 'cold-start-'));
  try {
    console.log(`cold start: bundles as deployed (esbuild ${JSON.stringify(options)}), ${LOADS} fresh processes each`);
    // The floor: the DynamoDB document client's code alone, bundled the same way (loaded, not constructed: our handlers make their client on first use).
    const floorEntry = join(root, 'floor.ts');
    writeFileSync(floorEntry, `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const handler = [DynamoDBClient, DynamoDBDocumentClient];\n`);
    const floor = await bundleOf('raw-dynamodb', floorEntry, { ...options, nodePaths: [join(PROJECT_ROOT, 'node_modules')] }, root);
    const floorMs = loadTime(floor.file, 'handler');
    const floorZip = zipBytes(floor);
    console.log(`  ${'raw DynamoDB client (floor)'.padEnd(30)} load ${floorMs.toFixed(1).padStart(6)} ms   zip ${kb(floorZip).padStart(8)}   bundle ${kb(statSync(floor.file).size).padStart(8)}`);
    for (const name of FUNCTIONS) {
      const handler = functions[name]?.handler;
      if (!handler) throw new Error(`no function ${name} in serverless.yml`);
      const [module, exportName] = [handler.slice(0, handler.lastIndexOf('.')), handler.slice(handler.lastIndexOf('.') + 1)];
      const bundle = await bundleOf(name, join(PROJECT_ROOT, `${module}.ts`), options, root);
      const ms = loadTime(bundle.file, exportName);
      const zip = zipBytes(bundle);
      const files = readdirSync(bundle.dir).map((file) => `${file} ${kb(statSync(join(bundle.dir, file)).size)}`).join(', ');
      console.log(`  ${name.padEnd(30)} load ${ms.toFixed(1).padStart(6)} ms (${(ms / floorMs).toFixed(2)}× the floor)   zip ${kb(zip).padStart(8)}   (${files})`);
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
