/**
 * Builds a Lambda handler from a route contract. The same handler runs on AWS and under the local
 * runner. Order of work: request id + logger → authenticate (and a staff route's roles) → validate with the
 * contract's zod schemas → call the route's implementation → JSON answer (gzipped when long: http/compression.ts). Every refusal becomes
 * `{ code, message: { zh, en }, requestId }`; nothing else (no stack, no internals) reaches a client.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import type { RouteContract } from '../../shared/api/contract';
import { errorBody, type ErrorBody } from '../../shared/errors';
import { AppError } from '../app-error';
import { compressAnswer } from './compression';
import { getDeps, type Deps } from '../deps';
import type { Logger } from '../logger';
import type { Terminal } from '../domain/merchant';
import { requireRole } from '../domain/staff';
import { isDatabaseUnavailable } from '../store/db';
import type { HolderSession } from '../auth/holder-session';
import type { AdminCaller } from './admin-auth';
import type { TerminalNonce } from './terminal-auth';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

interface BaseContext {
  deps: Deps;
  logger: Logger;
  requestId: string;
  /** The request as received, for routes that verify a signature over the raw bytes (payment notifications). */
  /** sourceIp: the caller's address as API Gateway saw it (counts unauthenticated look-ups per caller). */
  request: { rawBody: string; headers: Record<string, string | undefined>; sourceIp: string };
}

/** What a route's implementation gets: the caller its auth scheme authenticated, typed by the scheme. */
export type RouteContext<C extends RouteContract = RouteContract> = BaseContext &
  (C['auth'] extends 'terminal' ? { terminal: Terminal; nonce: TerminalNonce } : unknown) &
  /** The only account a holder's request may see or act on. */
  (C['auth'] extends 'holder' ? { holder: HolderSession } : unknown) &
  /** The card-centre staff member acting (audited as `who`), with the role the staff record gives now. */
  (C['auth'] extends 'admin' ? { admin: AdminCaller } : unknown);

type Parsed<T> = T extends z.ZodNever ? undefined : T extends z.ZodType ? z.infer<T> : undefined;

export interface RouteInput<C extends RouteContract> {
  body: Parsed<NonNullable<C['body']>>;
  params: Parsed<NonNullable<C['params']>>;
  query: Parsed<NonNullable<C['query']>>;
}

/** An answer with a status other than the contract's success status. */
export class Reply<T> {
  constructor(
    readonly status: number,
    readonly body: T,
  ) {}
}

/** An answer in a format someone else dictates (a payment platform's expected acknowledgement). */
export class RawReply {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly body: string,
  ) {}
}

type Impl<C extends RouteContract> = (
  input: RouteInput<C>,
  ctx: RouteContext<C>,
) => Promise<z.infer<C['response']> | Reply<z.infer<C['response']>> | RawReply>;

export type RouteHandler<C extends RouteContract> = ((event: HttpEvent, context: Context) => Promise<HttpResult>) & {
  contract: C;
};

interface Internal extends Record<string, unknown> {
  requestId: string;
  logger: Logger;
  startedAt: number;
}

export interface RouteOptions {
  /**
   * Terminal routes that move money may spend the request nonce inside their own transaction
   * (one write fewer per payment); every other terminal route has it spent before it runs. A
   * refusal of such a route is stored with its nonce (`TerminalNonce.refused`).
   */
  nonceSpentByRoute?: boolean;
}

export function route<C extends RouteContract>(contract: C, impl: Impl<C>, options: RouteOptions = {}): RouteHandler<C> {
  // Only this route's auth scheme is imported (the session JWTs, the terminal's signature), started while the
  // module loads: a deployed function's bundle then loads just its own scheme's code (npm run bench:cold-start).
  const auth = {
    terminal: contract.auth === 'terminal' ? import('./terminal-auth') : undefined,
    holder: contract.auth === 'holder' ? import('./holder-auth') : undefined,
    admin: contract.auth === 'admin' ? import('./admin-auth') : undefined,
  };
  const handler = middy<HttpEvent, HttpResult, Error, Context, Internal>()
    .use(requestContext(contract))
    .use(httpHeaderNormalizer())
    .use(errorResponses())
    .handler(async (event, _context, { signal: _signal }) => {
      const deps = getDeps();
      const internal = internals.get(event);
      if (!internal) throw new Error('request context middleware did not run');
      const rawBody = decodeBody(event);
      const terminalAuth = contract.auth === 'terminal' ? await (await auth.terminal!).authenticateTerminal(deps, event, rawBody) : undefined;
      if (terminalAuth && !options.nonceSpentByRoute) await terminalAuth.nonce.spend();
      const holder = contract.auth === 'holder' ? await (await auth.holder!).authenticateHolder(deps, event) : undefined;
      const admin = contract.auth === 'admin' ? await (await auth.admin!).authenticateAdmin(deps, event) : undefined;
      // Right after the session, before the body, path or query is read: a role's refusal says nothing about the input.
      if (admin) requireRole(admin, contract.roles ?? []);
      const input = {
        body: contract.body ? contract.body.parse(parseJsonBody(event, rawBody)) : undefined,
        params: contract.params ? contract.params.parse(event.pathParameters ?? {}) : undefined,
        query: contract.query ? contract.query.parse(event.queryStringParameters ?? {}) : undefined,
      } as RouteInput<C>;
      const request = { rawBody, headers: event.headers ?? {}, sourceIp: event.requestContext?.http?.sourceIp ?? '' };
      const ctx = { deps, logger: internal.logger, requestId: internal.requestId, request, ...terminalAuth, holder, admin } as RouteContext<C>;
      const result = await impl(input, ctx).catch(async (error: unknown) => {
        // A refused payment spends its nonce with the refusal: the identical request replayed answers it again, never a new evaluation.
        if (terminalAuth && options.nonceSpentByRoute && error instanceof AppError) throw await terminalAuth.nonce.refused(error);
        throw error;
      });
      const answer =
        result instanceof RawReply
          ? { statusCode: result.status, headers: { 'content-type': result.contentType }, body: result.body }
          : result instanceof Reply
            ? json(result.status, result.body)
            : json(contract.successStatus ?? 200, result);
      return compressAnswer(answer, event.headers?.['accept-encoding']);
    });
  return Object.assign(handler as unknown as (event: HttpEvent, context: Context) => Promise<HttpResult>, { contract });
}

/** A handler for requests that match no route (the `$default` route on API Gateway). */
export function notFoundHandler(): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  const contract = { operationId: 'notFound' } as RouteContract;
  return middy<HttpEvent, HttpResult, Error, Context, Internal>()
    .use(requestContext(contract))
    .use(errorResponses())
    .handler(async () => {
      throw new AppError('ROUTE_NOT_FOUND');
    }) as unknown as (event: HttpEvent, context: Context) => Promise<HttpResult>;
}

// The middleware's per-request state, keyed by the event object middy passes around.
const internals = new WeakMap<HttpEvent, Internal>();

function requestContext(contract: RouteContract): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  const finish = (request: middy.Request<HttpEvent, HttpResult, Error, Context>) => {
    const internal = internals.get(request.event);
    if (!internal || !request.response) return;
    request.response.headers = { ...request.response.headers, 'x-request-id': internal.requestId };
    const status = request.response.statusCode ?? 200;
    internal.logger.info('request', {
      operationId: contract.operationId,
      method: request.event.requestContext?.http?.method,
      path: request.event.rawPath,
      status,
      durationMs: Date.now() - internal.startedAt,
    });
  };
  return {
    before: (request) => {
      const requestId = request.event.requestContext?.requestId || request.context.awsRequestId;
      const logger = getDeps().logger.child({ requestId });
      internals.set(request.event, { requestId, logger, startedAt: Date.now() });
    },
    after: finish,
    onError: finish,
  };
}

function errorResponses(): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  return {
    onError: (request) => {
      const internal = internals.get(request.event);
      const requestId = internal?.requestId ?? request.context.awsRequestId;
      const logger = internal?.logger ?? getDeps().logger;
      const error = request.error;
      const { status, body } = toErrorResponse(error, requestId);
      if (status >= 500) logger.error('request failed', { code: body.code, error });
      else logger.info('request refused', { code: body.code, detail: error instanceof AppError ? error.detail : undefined });
      request.response = json(status, body);
    },
  };
}

export function toErrorResponse(error: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (error instanceof AppError) return { status: error.status, body: errorBody(error.code, { requestId, ...(error.params ? { params: error.params } : {}) }) };
  if (error instanceof z.ZodError) {
    const issues = error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', problem: issue.message }));
    return { status: 400, body: errorBody('VALIDATION_FAILED', { requestId, issues }) };
  }
  if (isDatabaseUnavailable(error)) return { status: 503, body: errorBody('DATABASE_UNAVAILABLE', { requestId }) };
  return { status: 500, body: errorBody('INTERNAL', { requestId }) };
}

function decodeBody(event: HttpEvent): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function parseJsonBody(event: HttpEvent, rawBody: string): unknown {
  if (rawBody === '') return undefined;
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', contentType);
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new AppError('MALFORMED_JSON');
  }
}

export function json(status: number, body: unknown): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
