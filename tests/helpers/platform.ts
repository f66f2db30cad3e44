/**
 * Test harness: a fresh table (from serverless.yml) for this test file on the run's DynamoDB Local,
 * and optionally the HTTP API on a free port, booted exactly as `npm start` boots it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { setDeps, type Deps } from '../../functions/deps';
import { prepareEnvironment, startLocalPlatform, type RunningPlatform } from '../../functions/local/platform';

export function uniqueStage(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

export interface TestPlatform {
  /** Available inside tests (after beforeAll). */
  readonly deps: Deps;
  readonly url: string;
  readonly tableName: string;
  /** One call to the HTTP API with JSON: an optional bearer token and body; the status and the parsed answer. */
  request(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: any }>;
}

/** Registers beforeAll/afterAll that give this file its own table, and the HTTP API when `http` is set. */
/** `stream`: the table gets its DynamoDB stream (only the tests that read it: it slows every write on DynamoDB Local). */
export function useTestPlatform(options: { http?: boolean; stream?: boolean } = {}): TestPlatform {
  let running: RunningPlatform | undefined;
  let deps: Deps | undefined;
  beforeAll(async () => {
    const endpoint = inject('dynamodbEndpoint');
    if (options.http) {
      running = await startLocalPlatform({ dynamodbEndpoint: endpoint, stage: uniqueStage(), port: 0, tables: { streams: options.stream ?? false } });
      deps = running.deps;
    } else {
      deps = (await prepareEnvironment(endpoint, uniqueStage(), { streams: options.stream ?? false })).deps;
    }
  });
  afterAll(async () => {
    await running?.close();
    setDeps(undefined);
  });
  return {
    get deps() {
      if (!deps) throw new Error('test platform not started (use it inside tests)');
      return deps;
    },
    get url() {
      if (!running) throw new Error('test platform has no HTTP API (useTestPlatform({ http: true }))');
      return running.url;
    },
    get tableName() {
      return this.deps.db.tableName;
    },
    async request(method, path, options = {}) {
      if (!running) throw new Error('test platform has no HTTP API (useTestPlatform({ http: true }))');
      const response = await fetch(running.url + path, {
        method,
        headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}
