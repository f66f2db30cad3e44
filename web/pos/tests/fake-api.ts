/**
 * A fetch that answers like the platform's API for the component tests: each answer is checked
 * against its route's response contract first (a fixture that drifts from the contract fails the
 * test), refusals are `{ code, message: { zh, en }, requestId }` worded from shared/errors.ts, and
 * `down` makes every request fail as a dropped network does.
 */
import type { RouteContract } from '@shared/api/contract';
import { activateTerminalRoute } from '@shared/api/merchants';
import { posDay } from '@shared/api/kiosk';
import { posRefundRoute } from '@shared/api/merchants';
import { confirmCardLoad, offlineBundle, offlineUpload, posCharge, posTransaction, qrPayment, reserveCardLoad } from '@shared/api/pos';
import { posPaymentCode, getPosPaymentCode } from '@shared/api/payment-codes';
import { ERRORS, renderMessage, type ErrorCode } from '@shared/errors';

export interface FakeRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  headers: Record<string, string>;
}

export type FakeAnswer = { status: number; body: unknown } | { refuse: ErrorCode; params?: Record<string, string | number> };
type Handler = (request: FakeRequest, api: FakeApi) => FakeAnswer | Promise<FakeAnswer>;

const CONTRACTS: RouteContract[] = [activateTerminalRoute, posDay, posRefundRoute, confirmCardLoad, offlineBundle, offlineUpload, posCharge, posTransaction, qrPayment, reserveCardLoad, posPaymentCode, getPosPaymentCode];

function routeOf(method: string, path: string): RouteContract | undefined {
  return CONTRACTS.find((route) => route.method === method && new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
}

export interface FakeApi {
  fetch: typeof fetch;
  requests: FakeRequest[];
  /** Every request fails (TypeError, as fetch does when the network is gone). */
  down: boolean;
  /** 'POST /v1/pos/qr-payments' → handler; replaced per test. */
  handlers: Record<string, Handler>;
  sent(key: string): FakeRequest[];
}

export const TERMINAL = { terminalId: 'POS-M001-01', merchantId: 'M001', place: '第一食堂', kind: 'pos' as const, secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', activatedAt: '2026-12-01T00:00:00.000Z' };

export function fakeApi(handlers: Record<string, Handler> = {}): FakeApi {
  const api: FakeApi = {
    requests: [],
    down: false,
    handlers: {
      'GET /health': () => ({ status: 200, body: { status: 'ok', time: new Date().toISOString(), dynamodb: { reachable: true, table: 'ecard' } } }),
      'GET /v1/pos/offline-bundle': () => ({ status: 200, body: bundle() }),
      'POST /v1/pos/offline-uploads': (request) => ({
        status: 200,
        body: { results: (request.body!.records as { recordId: string }[]).map((r, i) => ({ recordId: r.recordId, outcome: 'applied', receiptNo: receipt(900 + i), replayed: false })) },
      }),
      ...handlers,
    },
    sent: (key) => api.requests.filter((r) => `${r.method} ${r.path}` === key),
    fetch: async (input, init) => {
      if (api.down) throw new TypeError('Failed to fetch');
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://terminal.test');
      const method = (init?.method ?? 'GET').toUpperCase();
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
      const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
      const request: FakeRequest = { method, path: url.pathname, body, headers };
      api.requests.push(request);
      const key = `${method} ${url.pathname}`;
      const handler = api.handlers[key] ?? Object.entries(api.handlers).find(([pattern]) => new RegExp(`^${pattern.replace(/\{\w+\}/g, '[^/]+')}$`).test(key))?.[1];
      if (!handler) return json(404, { code: 'NOT_FOUND', message: { zh: '未找到', en: 'Not found' }, requestId: 'test' });
      const answer = await handler(request, api);
      if ('refuse' in answer) {
        const { status, zh, en } = ERRORS[answer.refuse];
        return json(status, { code: answer.refuse, message: { zh: renderMessage(zh, answer.params), en: renderMessage(en, answer.params) }, requestId: 'test' });
      }
      const route = routeOf(method, url.pathname);
      if (route && answer.status < 300) route.response.parse(answer.body); // the fixture must be what the API answers
      return json(answer.status, answer.body);
    },
  };
  return api;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A receipt number (a ULID) made from a small number, so tests can name them. */
export function receipt(n: number): string {
  return `01KB${String(n).padStart(22, '0')}`;
}

export function bundle(overrides: { keys?: { keyId: number; publicKey: string; accountNo: string; offlineCapFen: number }[]; chipUids?: string[]; chipReasons?: Record<string, 'CARD_LOST' | 'CARD_FROZEN' | 'CARD_VOID'> } = {}) {
  const now = Date.now();
  return {
    terminalId: TERMINAL.terminalId,
    issuedAt: new Date(now - 60_000).toISOString(),
    expiresAt: new Date(now + 24 * 3_600_000).toISOString(),
    stepSeconds: 30,
    windowSteps: 1,
    keys: overrides.keys ?? [],
    blacklist: { accountNos: [], chipUids: overrides.chipUids ?? [], ...(overrides.chipReasons ? { chipReasons: overrides.chipReasons } : {}) },
  };
}

export function paid(request: FakeRequest, balanceFen: number, extra: Record<string, unknown> = {}) {
  return {
    status: 200,
    body: { receiptNo: receipt(1), amountFen: request.body!.amountFen, balanceFen, holderDisplayName: '张*明', postedAt: new Date().toISOString(), replayed: false, ...extra },
  };
}
