/**
 * The mini-program's package sizes: builds weapp, alipay and h5 (production) and prints each build's
 * size, the WeChat main package against its 2 MB platform limit and our 1 MB budget, and the
 * biggest files. Figures only: nothing here passes or fails.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const MINIAPP = join(import.meta.dirname, '..', 'miniapp');
const WECHAT_LIMIT = 2 * 1024 * 1024;
const BUDGET = 1024 * 1024;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

for (const target of ['weapp', 'alipay', 'h5'] as const) {
  const started = performance.now();
  execFileSync('npx', ['taro', 'build', '--type', target], { cwd: MINIAPP, stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } });
  const seconds = (performance.now() - started) / 1000;
  const dir = join(MINIAPP, 'dist', target);
  const all = files(dir).map((path) => ({ path: relative(dir, path), bytes: statSync(path).size }));
  const total = all.reduce((sum, file) => sum + file.bytes, 0);
  const scripts = all.filter((file) => /\.js$/.test(file.path));
  const gzipped = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(dir, file.path))).length, 0);
  console.log(`\n${target}: ${kb(total)} in ${all.length} files (JS ${kb(scripts.reduce((s, f) => s + f.bytes, 0))}, gzip ${kb(gzipped)}), built in ${seconds.toFixed(1)} s`);
  if (target === 'weapp') {
    // No subpackages: the whole build is the main package.
    console.log(`  WeChat main package: ${kb(total)} = ${((total / WECHAT_LIMIT) * 100).toFixed(0)}% of the 2 MB limit, ${((total / BUDGET) * 100).toFixed(0)}% of our 1 MB budget`);
  }
  for (const file of all.sort((a, b) => b.bytes - a.bytes).slice(0, 4)) console.log(`  ${kb(file.bytes).padStart(10)}  ${file.path}`);
}
