/** The local runner follows API Gateway HTTP API (payload v2) rules. */
import { describe, expect, it } from 'vitest';
import { fromLambdaResult, matchRoute, toApiGatewayEvent, type LoadedRoute } from '../../functions/local/http-server';

const route = (method: string, path: string): LoadedRoute => ({ functionName: path, handler: 'h.handler', method, path, invoke: async () => undefined });
const routes = [route('GET', '/v1/accounts/{accountNo}'), route('GET', '/v1/accounts/me'), route('ANY', '/files/{key+}'), route('ANY', '*')];

describe('route matching', () => {
  it('prefers literal segments over parameters', () => {
    expect(matchRoute(routes, 'GET', '/v1/accounts/me')?.route.path).toBe('/v1/accounts/me');
    expect(matchRoute(routes, 'GET', '/v1/accounts/10001')).toMatchObject({ route: { path: '/v1/accounts/{accountNo}' }, pathParameters: { accountNo: '10001' } });
  });
  it('supports greedy parameters and decodes segments', () => {
    expect(matchRoute(routes, 'PUT', '/files/a/b%20c')?.pathParameters).toEqual({ key: 'a/b c' });
  });
  it('falls back to the $default route for an unknown path or method', () => {
    expect(matchRoute(routes, 'GET', '/nope')?.route.path).toBe('*');
    expect(matchRoute(routes, 'POST', '/v1/accounts/me')?.route.path).toBe('*');
  });
});

describe('API Gateway v2 events and responses', () => {
  it('builds a v2 event: lower-case headers, cookies apart, query parameters, text body', () => {
    const event = toApiGatewayEvent(
      {
        method: 'POST',
        url: '/v1/accounts/10001?x=1&x=2&y=3',
        headers: { 'content-type': 'application/json', cookie: 'a=1; b=2', host: 'localhost:3000' },
        body: Buffer.from('{"a":1}'),
        sourceIp: '127.0.0.1',
      },
      route('POST', '/v1/accounts/{accountNo}'),
      { accountNo: '10001' },
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/accounts/{accountNo}',
      rawPath: '/v1/accounts/10001',
      rawQueryString: 'x=1&x=2&y=3',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,2', y: '3' },
      pathParameters: { accountNo: '10001' },
      body: '{"a":1}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/v1/accounts/10001' }, stage: '$default' },
    });
    expect(event.headers.cookie).toBeUndefined();
  });

  it('base64-encodes a binary body', () => {
    const event = toApiGatewayEvent(
      { method: 'POST', url: '/x', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 255]), sourceIp: '' },
      route('POST', '/x'),
      {},
    );
    expect(event).toMatchObject({ body: 'AP8=', isBase64Encoded: true });
  });

  it('answers by the v2 rules: structured result, bare object as JSON 200, base64 body, cookies', () => {
    expect(fromLambdaResult({ statusCode: 201, headers: { 'X-A': '1' }, body: 'hi' })).toMatchObject({ status: 201, headers: { 'x-a': '1' } });
    const bare = fromLambdaResult({ ok: true });
    expect(bare.status).toBe(200);
    expect(bare.headers['content-type']).toBe('application/json');
    expect(bare.body.toString()).toBe('{"ok":true}');
    expect(fromLambdaResult({ statusCode: 200, body: 'AP8=', isBase64Encoded: true }).body).toEqual(Buffer.from([0, 255]));
    expect(fromLambdaResult({ statusCode: 200, cookies: ['s=1'] }).headers['set-cookie']).toEqual(['s=1']);
  });
});
