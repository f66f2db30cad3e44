import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import { createDeps, setDeps } from '../../functions/deps';
import { handler as healthHandler } from '../../functions/handlers/health';
import { handler as chargeHandler } from '../../functions/handlers/pos-charge';
import { freePort } from '../../functions/local/dynamodb-local';
import { toApiGatewayEvent } from '../../functions/local/http-server';
import type { Context } from 'aws-lambda';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

const context = { awsRequestId: 'test-request', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

describe('the HTTP stack', () => {
  it('GET /health reports DynamoDB reachable and the table active', async () => {
    const response = await fetch(`${platform.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const body = await response.json();
    expect(body).toMatchObject({ status: 'ok', dynamodb: { reachable: true, table: platform.tableName, tableStatus: 'ACTIVE' } });
  });

  it('GET /openapi.json serves the OpenAPI 3.1 document', async () => {
    const response = await fetch(`${platform.url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/pos/charges'].post.operationId).toBe('posCharge');
  });

  it('a long answer is gzipped for a client that takes gzip, and the same JSON as text for one that does not', async () => {
    const zipped = await fetch(`${platform.url}/openapi.json`, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('accept-encoding');
    const plain = await fetch(`${platform.url}/openapi.json`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const text = await plain.text();
    expect(Number(zipped.headers.get('content-length'))).toBeLessThan(Buffer.byteLength(text) / 4);
    expect(await zipped.json()).toEqual(JSON.parse(text));
    // A short answer (health, a payment) is never compressed.
    expect((await fetch(`${platform.url}/health`, { headers: { 'accept-encoding': 'gzip' } })).headers.get('content-encoding')).toBeNull();
  });

  it.each([
    ['GET', '/no/such/route'],
    ['POST', '/v1/pos/nothing'],
    ['DELETE', '/health'],
  ])('%s %s → JSON 404 ROUTE_NOT_FOUND', async (method, path) => {
    const response = await fetch(platform.url + path, { method });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', message: { zh: '接口不存在', en: 'No such endpoint' } });
  });
});

describe('when DynamoDB is not there', () => {
  function event(method: string, path: string, body = '') {
    return toApiGatewayEvent(
      { method, url: path, headers: { 'content-type': 'application/json' }, body: Buffer.from(body), sourceIp: '127.0.0.1' },
      { functionName: 'f', handler: 'h', method, path },
      {},
    );
  }

  it('a missing table: health says unavailable (503); a charge gets DATABASE_UNAVAILABLE, no stack trace', async () => {
    setDeps(createDeps({ ...readConfig(), tableName: 'campus-ecard-no-such-table' }));
    try {
      const health = await healthHandler(event('GET', '/health'), context);
      expect(health.statusCode).toBe(503);
      expect(JSON.parse(health.body!)).toMatchObject({ status: 'unavailable', dynamodb: { reachable: false } });

      const charge = await chargeHandler(
        { ...event('POST', '/v1/pos/charges', '{}'), headers: { 'content-type': 'application/json', 'x-terminal-id': 'POS-1', 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-nonce': 'abcdefgh12', 'x-signature': 'x' } },
        context,
      );
      expect(charge.statusCode).toBe(503);
      const body = JSON.parse(charge.body!);
      expect(body).toEqual({ code: 'DATABASE_UNAVAILABLE', message: expect.any(Object), requestId: expect.any(String) });
    } finally {
      setDeps(platform.deps);
    }
  });

  it('an unreachable DynamoDB answers 503 within seconds', async () => {
    const closedPort = await freePort();
    setDeps(createDeps({ ...readConfig(), dynamodbEndpoint: `http://127.0.0.1:${closedPort}` }));
    try {
      const started = Date.now();
      const health = await healthHandler(event('GET', '/health'), context);
      expect(health.statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      setDeps(platform.deps);
    }
  });
});
