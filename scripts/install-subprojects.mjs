// Root `npm install` / `npm ci` also installs the sub-projects' own dependencies: the mini-program
// (Taro's webpack and babel world) and the web apps (React, Ant Design, Vite), each apart from the
// Lambda code. `npm ci` here means `npm ci` there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const command = process.env.npm_command === 'ci' ? 'ci' : 'install';
for (const [name, skip] of [
  ['miniapp', 'ECARD_SKIP_MINIAPP_INSTALL'],
  ['web', 'ECARD_SKIP_WEB_INSTALL'],
]) {
  const dir = join(import.meta.dirname, '..', name);
  if (process.env[skip] === '1' || !existsSync(join(dir, 'package.json'))) continue;
  console.log(`${name}: npm ${command}`);
  const result = spawnSync('npm', [command, '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
