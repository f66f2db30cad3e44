/**
 * The local API: serves every httpApi route of serverless.yml by calling the same handler module
 * Lambda would, with an API Gateway HTTP API (payload v2) event, and answers by v2's response rules.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { PROJECT_ROOT, type HttpRoute } from './serverless-config';

type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | string | object | undefined>;

export interface LoadedRoute extends HttpRoute {
  invoke: LambdaHttpHandler;
}

const MAX_BODY_BYTES = 6 * 1024 * 1024; // Lambda's synchronous payload limit
const LAMBDA_TIMEOUT_MS = 10_000;

/** Imports each route's handler module, exactly as named in serverless.yml. */
export async function loadRoutes(routes: HttpRoute[]): Promise<LoadedRoute[]> {
  return Promise.all(
    routes.map(async (route) => {
      const dot = route.handler.lastIndexOf('.');
      const modulePath = join(PROJECT_ROOT, `${route.handler.slice(0, dot)}.ts`);
      const exportName = route.handler.slice(dot + 1);
      const module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
      const invoke = module[exportName];
      if (typeof invoke !== 'function') throw new Error(`${route.handler}: ${modulePath} exports no function "${exportName}"`);
      return { ...route, invoke: invoke as LambdaHttpHandler };
    }),
  );
}

/** Finds the route for a request: literal segments beat parameters; `*` (API Gateway's $default) is the fallback. */
export function matchRoute(routes: LoadedRoute[], method: string, path: string): { route: LoadedRoute; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/').filter(Boolean);
  let best: { route: LoadedRoute; pathParameters: Record<string, string>; score: number } | undefined;
  for (const route of routes) {
    if (route.path === '*' || (route.method !== 'ANY' && route.method !== method)) continue;
    const pathParameters = matchTemplate(route.path, segments);
    if (!pathParameters) continue;
    const score = route.path.split('/').filter((part) => part && !part.startsWith('{')).length;
    if (!best || score > best.score) best = { route, pathParameters, score };
  }
  if (best) return best;
  const fallback = routes.find((route) => route.path === '*');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

function matchTemplate(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = template.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) {
      if (segments.length <= i) return undefined;
      params[greedy[1]!] = segments.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    const param = /^\{(.+)\}$/.exec(part);
    if (param) params[param[1]!] = decodeURIComponent(segment);
    else if (part !== segment) return undefined;
  }
  return parts.length === segments.length ? params : undefined;
}

const TEXT_TYPES = /^(?:text\/|application\/(?:json|x-www-form-urlencoded|xml|[\w.+-]+\+json))/i;

export function toApiGatewayEvent(
  request: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer; sourceIp: string },
  route: HttpRoute,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const url = new URL(request.url, 'http://localhost');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/).filter(Boolean));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  const requestId = randomUUID();
  const routeKey = route.path === '*' ? '$default' : `${route.method === 'ANY' ? 'ANY' : route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(request.body.length
      ? { body: isText ? request.body.toString('utf8') : request.body.toString('base64'), isBase64Encoded: !isText }
      : { isBase64Encoded: false }),
  };
}

function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + LAMBDA_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Applies API Gateway's payload v2 response rules to what a handler returned. */
export function fromLambdaResult(result: unknown): { status: number; headers: Record<string, string | string[]>; body: Buffer } {
  if (result === undefined || result === null) return { status: 200, headers: {}, body: Buffer.alloc(0) };
  if (typeof result === 'object' && 'statusCode' in result) {
    const structured = result as APIGatewayProxyStructuredResultV2;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
    if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
    const raw = structured.body ?? '';
    return { status: structured.statusCode ?? 200, headers, body: structured.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8') };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
}

/**
 * A route only the local stack has (never in serverless.yml): the fake payment platforms' cashier,
 * which the H5 demo build uses where WeChat or Alipay would show their own payment sheet.
 */
export interface DevRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle(match: RegExpExecArray): Promise<{ status: number; body: unknown }>;
}

/** A built web app served at a path: `/` for the mini-program's H5, `/pos/` for the terminal app. */
export interface StaticSite {
  path: string;
  dir: string;
}

export interface LocalApiOptions {
  /** Served for GET requests that match no API route, the longest path first (as CloudFront's behaviours would). */
  staticSites?: StaticSite[];
  devRoutes?: DevRoute[];
  log?: (line: string) => void;
}

export function createLocalApi(routes: LoadedRoute[], options: LocalApiOptions = {}): Server {
  return createServer((request, response) => {
    void handle(routes, options, request, response);
  });
}

async function handle(routes: LoadedRoute[], options: LocalApiOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const body = await readBody(request);
    if (body === 'too-large') return send(response, 413, { 'content-type': 'application/json' }, Buffer.from('{"message":"Request Entity Too Large"}'));
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://localhost');
    for (const devRoute of options.devRoutes ?? []) {
      const found = devRoute.method === method ? devRoute.pattern.exec(url.pathname) : null;
      if (!found) continue;
      const answer = await devRoute.handle(found);
      return send(response, answer.status, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(answer.body)));
    }
    const match = matchRoute(routes, method, url.pathname);
    if (options.staticSites && (method === 'GET' || method === 'HEAD') && (!match || match.route.path === '*')) {
      if (serveStatic(options.staticSites, url.pathname, response)) return;
    }
    if (!match) return send(response, 404, { 'content-type': 'application/json' }, Buffer.from('{"message":"Not Found"}'));
    const event = toApiGatewayEvent(
      { method, url: request.url ?? '/', headers: request.headers, body, sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
      match.route,
      match.pathParameters,
    );
    const started = performance.now();
    const result = await match.route.invoke(event, lambdaContext(match.route.functionName, event.requestContext.requestId));
    const { status, headers, body: out } = fromLambdaResult(result);
    // The handler's own time, so a client-side benchmark can tell the server's share from its own.
    const timing = { 'server-timing': `handler;dur=${(performance.now() - started).toFixed(1)}`, 'timing-allow-origin': '*' };
    send(response, status, { ...headers, ...timing }, method === 'HEAD' ? Buffer.alloc(0) : out);
  } catch (error) {
    // What API Gateway answers when the function itself crashes.
    options.log?.(`handler crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    send(response, 500, { 'content-type': 'application/json' }, Buffer.from('{"message":"Internal Server Error"}'));
  }
}

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, headers: Record<string, string | string[]>, body: Buffer): void {
  response.writeHead(status, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Serves a file of a web app's build; unknown paths under the app get its index.html (its router owns them). */
function serveStatic(sites: StaticSite[], pathname: string, response: ServerResponse): boolean {
  const site = [...sites].sort((a, b) => b.path.length - a.path.length).find((candidate) => pathname.startsWith(candidate.path) || `${pathname}/` === candidate.path);
  if (!site) return false;
  const base = resolve(site.dir);
  let file = normalize(join(base, decodeURIComponent(pathname.slice(Math.min(site.path.length, pathname.length)))));
  if (!file.startsWith(base)) return false;
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(base, 'index.html');
  if (!existsSync(file)) return false;
  response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
  createReadStream(file).pipe(response);
  return true;
}
