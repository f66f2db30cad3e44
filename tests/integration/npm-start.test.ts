/** `npm start` as a new user runs it: DynamoDB Local, tables, demo campus, the API; Ctrl-C stops it all; data survives a restart. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../functions/local/dynamodb-local';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';

const dataDir = mkdtempSync(join(tmpdir(), 'ecard-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function startPlatform(port: number, dynamodbPort: number, options: { skipWeb?: boolean } = {}): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: PROJECT_ROOT,
    // ECARD_SKIP_H5: the mini-program build is tested end to end by tests/e2e; here it would only cost time.
    // The terminal app builds in seconds, so the first start builds it as a new user's would.
    env: { ...process.env, PORT: String(port), DYNAMODB_PORT: String(dynamodbPort), ECARD_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ECARD_SKIP_H5: '1', ...(options.skipWeb ? { ECARD_SKIP_WEB: '1' } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready in time:\n${output}`)), 90_000);
    const check = () => {
      if (output.includes('Ready.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output };
}

/** What Ctrl-C in a terminal does: SIGINT to the whole foreground process group. Resolves when every process holding the output has exited. */
async function interrupt(child: ChildProcess): Promise<void> {
  const closed = new Promise<void>((resolve) => child.stdout!.once('close', () => resolve()));
  process.kill(-child.pid!, 'SIGINT');
  await closed;
}

/** Whether a DynamoDB Local (java … -dbPath <dir>) still runs: checked by process, not by port, which another test may reuse. */
function dynamoDbLocalRunningOn(dir: string): boolean {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir);
      } catch {
        return false; // exited while we looked
      }
    });
}

describe('npm start', () => {
  it('serves the platform, stops cleanly on Ctrl-C, and keeps its data across a restart', { timeout: 240_000 }, async () => {
    const [port, dynamodbPort] = [await freePort(), await freePort()];
    const first = await startPlatform(port, dynamodbPort);
    try {
      expect(first.output()).toMatch(/Demo campus: 310 accounts \(310 created now\), 6 POS terminals/);
      expect(first.output()).toContain(`POST  http://127.0.0.1:${port}/v1/pos/charges`);
      const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', dynamodb: { reachable: true, tableStatus: 'ACTIVE' } });
      expect(dynamoDbLocalRunningOn(dataDir)).toBe(true);
      // The terminal app at /pos/, with a one-time code per demo terminal to activate it.
      expect(first.output()).toContain(`Terminal app: http://127.0.0.1:${port}/pos/`);
      expect(first.output()).toMatch(/POS-M001-01\s+[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\s+pos/);
      const app = await fetch(`http://127.0.0.1:${port}/pos/`);
      expect(app.headers.get('content-type')).toContain('text/html');
      const html = await app.text();
      expect(html).toContain('<div id="root">');
      const script = /src="(\/pos\/assets\/[^"]+\.js)"/.exec(html)![1]!;
      expect((await fetch(`http://127.0.0.1:${port}${script}`)).headers.get('content-type')).toContain('javascript');
    } finally {
      await interrupt(first.child);
    }
    expect(first.output()).toContain('SIGINT: stopping');
    expect(dynamoDbLocalRunningOn(dataDir)).toBe(false);

    const second = await startPlatform(port, dynamodbPort, { skipWeb: true });
    try {
      expect(second.output()).toMatch(/Demo campus: 310 accounts \(0 created now\)/);
      // Terminal secrets were generated once and kept.
      const secretsOf = (text: string) => text.split('\n').filter((line) => /POS-M001-01\s+M001/.test(line));
      expect(secretsOf(second.output())).toEqual(secretsOf(first.output()));
    } finally {
      await interrupt(second.child);
    }
  });

  it('refuses to start DynamoDB Local on a port that is taken', { timeout: 60_000 }, async () => {
    const blocker = createServer();
    const taken = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const child = spawn('npm', ['start', '--silent', '--', '--fresh'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PORT: String(await freePort()), DYNAMODB_PORT: String(taken), ECARD_SKIP_H5: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).not.toBe(0);
      expect(output).toContain(`port ${taken} is already in use`);
    } finally {
      blocker.close();
    }
  });
});
