/**
 * The console's API client: every call is made from a route's contract in shared/api (method, path,
 * params, query, body). The body is checked with the contract's zod schema before anything is sent
 * (a bad form never reaches the server), the answer is parsed with the response schema, and a
 * refusal becomes an ApiError carrying the server's zh/en message. The staff session token lives in
 * sessionStorage (gone with the tab); a 401 on a signed-in call drops it and sends staff to sign-in.
 */
import type { z } from 'zod';
import type { RouteContract } from '@shared/api/contract';
import { ERRORS } from '@shared/errors';
import { createAdminSession } from '@shared/api/admin';

export type StaffSession = z.output<typeof createAdminSession.response>;

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the request never got an answer or was refused here before sending. */
    readonly status: number,
    readonly code: string,
    readonly zh: string,
    readonly en: string,
    readonly issues: { path: string; problem: string }[] = [],
    readonly requestId?: string,
  ) {
    super(`${code}: ${en}`);
    this.name = 'ApiError';
  }

  get forbidden(): boolean {
    return this.status === 403;
  }
}

type In<S> = S extends z.ZodType ? z.input<S> : never;
/** defineRoute marks an absent part with ZodNever. */
type Part<S> = NonNullable<S> extends z.ZodNever ? undefined : In<NonNullable<S>>;
export type CallInput<C extends RouteContract> = (Part<C['params']> extends undefined ? { params?: undefined } : { params: Part<C['params']> }) &
  (Part<C['body']> extends undefined ? { body?: undefined } : { body: Part<C['body']> }) &
  (Part<C['query']> extends undefined ? { query?: undefined } : { query?: Part<C['query']> });
export type CallOutput<C extends RouteContract> = z.output<C['response']>;

export interface ConsoleClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  storage?: Storage;
  /** A signed-in call was answered 401 (expired, signed out elsewhere, account disabled). */
  onUnauthorized?: (error: ApiError) => void;
}

const SESSION_KEY = 'ecard.console.session';

function validationError(issues: z.core.$ZodIssue[]): ApiError {
  const { zh, en } = ERRORS.VALIDATION_FAILED;
  const list = issues.map((issue) => ({ path: issue.path.join('.'), problem: issue.message }));
  const detail = list.map((i) => (i.path ? `${i.path}: ${i.problem}` : i.problem)).join('; ');
  return new ApiError(0, 'VALIDATION_FAILED', `${zh}（${detail}）`, `${en} (${detail})`, list);
}

export class ConsoleClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly storage: Storage;
  onUnauthorized?: (error: ApiError) => void;

  constructor(options: ConsoleClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.storage = options.storage ?? sessionStorage;
    this.onUnauthorized = options.onUnauthorized;
  }

  session(): StaffSession | undefined {
    const text = this.storage.getItem(SESSION_KEY);
    if (!text) return undefined;
    try {
      const session = createAdminSession.response.parse(JSON.parse(text));
      return Date.parse(session.expiresAt) > Date.now() ? session : undefined;
    } catch {
      return undefined;
    }
  }

  async signIn(username: string, password: string): Promise<StaffSession> {
    const session = await this.call(createAdminSession, { body: { username, password } });
    this.storage.setItem(SESSION_KEY, JSON.stringify(session));
    return session;
  }

  signOut(): void {
    this.storage.removeItem(SESSION_KEY);
  }

  /** The request a call would send, checked against the contract: throws VALIDATION_FAILED (status 0) instead of sending a bad one. */
  prepare<C extends RouteContract>(route: C, input: CallInput<C>): { url: string; init: RequestInit } {
    const { params, query, body } = input as { params?: unknown; query?: unknown; body?: unknown };
    let path = route.path;
    if (route.params) {
      const parsed = route.params.safeParse(params ?? {});
      if (!parsed.success) throw validationError(parsed.error.issues);
      const values = parsed.data as Record<string, string>;
      path = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
    }
    let search = '';
    if (route.query) {
      const parsed = route.query.safeParse(query ?? {});
      if (!parsed.success) throw validationError(parsed.error.issues);
      const entries = Object.entries(parsed.data as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== '');
      if (entries.length > 0) search = `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    let payload: string | undefined;
    if (route.body) {
      const parsed = route.body.safeParse(body);
      if (!parsed.success) throw validationError(parsed.error.issues);
      payload = JSON.stringify(parsed.data);
      headers['content-type'] = 'application/json';
    }
    if (route.auth === 'admin') {
      const session = this.session();
      if (session) headers.authorization = `Bearer ${session.token}`;
    }
    return { url: `${this.baseUrl}${path}${search}`, init: { method: route.method, headers, ...(payload !== undefined ? { body: payload } : {}) } };
  }

  async call<C extends RouteContract>(route: C, input: CallInput<C>): Promise<CallOutput<C>> {
    const { url, init } = this.prepare(route, input);
    const text = await this.send(route, url, init);
    if (route.successContentType && !route.successContentType.includes('json')) return text as CallOutput<C>;
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new ApiError(0, 'BAD_ANSWER', '服务器的应答格式有误', 'The server’s answer was not understood');
    }
    const parsed = route.response.safeParse(json);
    if (!parsed.success) throw new ApiError(0, 'BAD_ANSWER', '服务器的应答格式有误', 'The server’s answer was not understood', parsed.error.issues.map((i) => ({ path: i.path.join('.'), problem: i.message })));
    return parsed.data as CallOutput<C>;
  }

  private async send(route: RouteContract, url: string, init: RequestInit): Promise<string> {
    let response: Response;
    try {
      response = (await takePrefetched(url, init)) ?? (await this.fetchFn(url, init));
    } catch {
      throw new ApiError(0, 'NETWORK', '网络连接失败，请检查后重试', 'The network is unreachable; please try again');
    }
    const text = await response.text();
    if (response.ok) return text;
    const error = refusal(response.status, text);
    if (response.status === 401 && route.auth === 'admin') {
      this.signOut();
      this.onUnauthorized?.(error);
    }
    throw error;
  }
}

/** How long a prefetched answer (src/prefetch.ts) may stand in for asking: the first render's, not a later refresh's. */
const PREFETCH_FRESH_MS = 10_000;

/** The answer src/prefetch.ts already asked for with this URL and token, once; undefined when there is none, it is stale, or it failed. */
async function takePrefetched(url: string, init: RequestInit): Promise<Response | undefined> {
  const store = (globalThis as { __ecardConsolePrefetch?: Record<string, { response: Promise<Response>; at: number }> }).__ecardConsolePrefetch;
  if (!store || init.method !== 'GET') return undefined;
  const key = `GET ${url} ${(init.headers as Record<string, string> | undefined)?.authorization ?? ''}`;
  const hit = store[key];
  if (!hit) return undefined;
  delete store[key];
  if (Date.now() - hit.at > PREFETCH_FRESH_MS) return undefined;
  return hit.response.catch(() => undefined);
}

/** A refusal as the API words it ({ code, message: { zh, en } }), or the status's generic words when the body is not that. */
function refusal(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: { zh?: unknown; en?: unknown }; issues?: { path: string; problem: string }[]; requestId?: string };
    if (typeof body.code === 'string' && typeof body.message?.zh === 'string' && typeof body.message.en === 'string') {
      return new ApiError(status, body.code, body.message.zh, body.message.en, body.issues ?? [], body.requestId);
    }
  } catch {
    // not JSON: a proxy's page
  }
  const generic = status === 403 ? ERRORS.FORBIDDEN : status === 401 ? ERRORS.UNAUTHENTICATED : status === 404 ? ERRORS.NOT_FOUND : { zh: `服务器错误（${status}）`, en: `Server error (${status})` };
  return new ApiError(status, `HTTP_${status}`, generic.zh, generic.en);
}
