// Before `npm start`: build the mini-program's H5 and the web apps when missing or older than their
// sources, so what is served at /, /pos/ and /console/ is always what is in the tree. ECARD_SKIP_H5=1 and
// ECARD_SKIP_WEB=1 skip them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).filter((name) => name !== 'node_modules' && name !== 'dist').map((name) => newest(join(path, name))));
}

const builds = [
  { name: 'the mini-program for H5 (miniapp/dist/h5)', skip: 'ECARD_SKIP_H5', built: 'miniapp/dist/h5/index.html', sources: ['miniapp/src', 'miniapp/config', 'shared'], cwd: 'miniapp', script: 'build:h5' },
  { name: 'the terminal app (web/dist/pos)', skip: 'ECARD_SKIP_WEB', built: 'web/dist/pos/index.html', sources: ['web/pos', 'shared'], cwd: 'web', script: 'build:pos' },
  { name: "the card centre's console (web/dist/console)", skip: 'ECARD_SKIP_WEB', built: 'web/dist/console/index.html', sources: ['web/console', 'shared'], cwd: 'web', script: 'build:console' },
];

for (const build of builds) {
  if (process.env[build.skip] === '1') continue;
  const built = join(root, build.built);
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...build.sources.map((dir) => newest(join(root, dir))))) continue;
  console.log(`Building ${build.name} ...`);
  const result = spawnSync('npm', ['run', build.script, '--silent'], { cwd: join(root, build.cwd), stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) console.error(`Building ${build.name} failed: \`npm --prefix ${build.cwd} run ${build.script}\` shows why. Starting without it.`);
}
