/**
 * How a Lambda function's code is bundled and zipped: the one place for it, used by the deploy
 * (scripts/serverless-lambda-bundles.mjs, the osls plugin) and by `npm run bench:cold-start`.
 *
 * ESM with code splitting, one esbuild run per function: what a cold start evaluates is the handler's
 * static import graph only. Everything reached by `import()` (another route of an area, the SDK's
 * credential providers for SSO and INI files, an auth scheme the route does not use, a payment
 * platform's SDK) is a chunk of its own, loaded on first use. Measured on this machine (bench:cold-start):
 * the QR payment handler's bundle loads in about half the time of the single CJS file it replaced.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

/** esbuild's options for every function. */
export const BUNDLE_OPTIONS = Object.freeze({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: true,
  // The packages' ES builds: their `import()` stays lazy (their CommonJS builds turn it into a require).
  mainFields: ['module', 'main'],
  minify: true,
  // Names kept so a stack trace still says where; no source map in the zip (it doubles what is read).
  keepNames: true,
  sourcemap: false,
  outExtension: { '.js': '.mjs' },
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies that require Node's built-ins need a `require` in an ES module.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'error',
});

/** The Lambda handler string for a bundle: its entry is index.mjs at the zip's root. */
export const handlerOf = (exportName) => `index.${exportName}`;

/**
 * Bundles one function's handler module ("functions/handlers/x.handler" → <outDir>/index.mjs and its chunks).
 * Returns the entry file, the export's name and esbuild's metafile.
 */
export async function bundleFunction({ root, handler, outDir, options = {} }) {
  const dot = handler.lastIndexOf('.');
  const entry = resolve(root, `${handler.slice(0, dot)}.ts`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({ ...BUNDLE_OPTIONS, ...options, absWorkingDir: root, entryPoints: [entry], outdir: outDir, metafile: true });
  return { entryFile: resolve(root, entryOutput(result.metafile)), exportName: handler.slice(dot + 1), metafile: result.metafile };
}

/** Zips a bundle's directory with the system's zip (smaller than a JS zip at the same level). Returns its bytes. */
export function zipBundle(dir, zipPath) {
  mkdirSync(dirname(zipPath), { recursive: true });
  rmSync(zipPath, { force: true });
  execFileSync('zip', ['-q', '-r', '-X', zipPath, '.'], { cwd: dir });
  return statSync(zipPath).size;
}

/** Bytes of the code a bundle's entry loads before its first line runs (its static imports, chunks included). */
export function staticBytes(metafile) {
  const outputs = metafile.outputs;
  const entry = entryOutput(metafile);
  const seen = new Set();
  const stack = [entry];
  while (stack.length) {
    const output = stack.pop();
    if (!output || seen.has(output)) continue;
    seen.add(output);
    for (const imported of outputs[output].imports) if (imported.kind === 'import-statement' && outputs[imported.path]) stack.push(imported.path);
  }
  return [...seen].reduce((sum, output) => sum + outputs[output].bytes, 0);
}

/** The output file of the build's entry point (a path relative to the build's working directory; dynamic imports are entry points of chunks/). */
function entryOutput(metafile) {
  return Object.keys(metafile.outputs).find((path) => /(^|\/)index\.[cm]?js$/.test(path) && !path.includes('/chunks/'));
}
