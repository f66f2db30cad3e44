// Before `npm start`: build the mini-program's H5 build when it is missing or older than its sources,
// so the app served at / is always the one in the tree. ECARD_SKIP_H5=1 skips it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

if (process.env.ECARD_SKIP_H5 === '1') process.exit(0);
const root = join(import.meta.dirname, '..');
const built = join(root, 'miniapp', 'dist', 'h5', 'index.html');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = ['miniapp/src', 'miniapp/config', 'shared'].map((dir) => join(root, dir));
if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest))) process.exit(0);
console.log('Building the mini-program for H5 (miniapp/dist/h5) ...');
const result = spawnSync('npm', ['run', 'build:h5', '--silent'], { cwd: join(root, 'miniapp'), stdio: ['ignore', 'ignore', 'inherit'] });
if (result.status !== 0) {
  console.error('The H5 build failed: `npm run build:h5` shows why. Starting the API without it.');
}
