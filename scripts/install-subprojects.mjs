// Root `npm install` / `npm ci` also installs the mini-program's own dependencies (Taro's webpack and
// babel world stays in miniapp/, apart from the Lambda code). `npm ci` here means `npm ci` there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

if (process.env.ECARD_SKIP_MINIAPP_INSTALL === '1') process.exit(0);
const miniapp = join(import.meta.dirname, '..', 'miniapp');
if (!existsSync(join(miniapp, 'package.json'))) process.exit(0);
const command = process.env.npm_command === 'ci' ? 'ci' : 'install';
console.log(`miniapp: npm ${command}`);
const result = spawnSync('npm', [command, '--no-audit', '--no-fund'], { cwd: miniapp, stdio: 'inherit' });
process.exit(result.status ?? 1);
