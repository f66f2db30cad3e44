/**
 * A fetch that answers like the admin API for the console's component tests: each success answer is
 * checked against its route's response contract first (a fixture that drifts from the contract fails
 * the test), refusals are `{ code, message: { zh, en }, requestId }` worded from shared/errors.ts.
 */
import type { RouteContract } from '@shared/api/contract';
import * as admin from '@shared/api/admin';
import * as consoleRoutes from '@shared/api/console';
import * as disputes from '@shared/api/disputes';
import * as merchants from '@shared/api/merchants';
import * as settlement from '@shared/api/settlement';
import { ERRORS, renderMessage, type ErrorCode } from '@shared/errors';
import { STAFF_ROLES } from '@shared/vocabulary';
import { allowed } from '../src/console-context';

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  headers: Record<string, string>;
}

/** unchecked: a deliberately wrong answer (to test that the client refuses it). text: a raw answer (a CSV) sent as these exact bytes. */
export type FakeAnswer = { status: number; body: unknown; unchecked?: boolean } | { status: number; text: Uint8Array<ArrayBuffer> | string; contentType: string; headers?: Record<string, string> } | { refuse: ErrorCode; params?: Record<string, string | number> };
type Handler = (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

const CONTRACTS = ([...Object.values(admin), ...Object.values(consoleRoutes), ...Object.values(merchants), ...Object.values(settlement), ...Object.values(disputes)] as unknown[]).filter((value): value is RouteContract => typeof value === 'object' && value !== null && 'operationId' in value && 'path' in value);

function routeOf(method: string, path: string): RouteContract | undefined {
  return CONTRACTS.find((route) => route.method === method && new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
}

export interface FakeApi {
  fetch: typeof fetch;
  requests: FakeRequest[];
  handlers: Record<string, Handler>;
  sent(key: string): FakeRequest[];
}

/** A role that reads the action log (the contract says which). */
export const LOG_ROLE = STAFF_ROLES.find((role) => allowed(admin.listAuditLog, role))!;

export const ACCOUNT = {
  accountNo: '20230001',
  personId: 'S2023001',
  holderName: '张小明',
  cardType: 'student',
  status: 'active',
  balanceFen: 12_345,
  transitionalFen: 500,
  smallWalletFen: 0,
  chipBalanceFen: 10_000,
  dailyLimitFen: 30_000,
  spentTodayFen: 1_200,
  cards: [{ cardId: 'C1', kind: 'cpu', status: 'active', chipUidMasked: '04A1****D4', issuedOn: '2026-09-01' }],
  idType: 'id_card',
  idNumberMasked: '1101**********123X',
  mobileMasked: '138****0001',
  passwords: [
    { kind: 'query', set: true, isDefault: false },
    { kind: 'consumption', set: true, isDefault: true },
  ],
  createdAt: '2026-09-01T00:00:00.000Z',
};

/** An account without automatic reload, as GET /v1/admin/accounts/{accountNo}/auto-reload answers it. */
export const AUTO_RELOAD_NONE = {
  status: 'none',
  channel: null,
  thresholdFen: null,
  amountFen: null,
  reloadsToday: 0,
  dailyMax: 2,
  bounds: { minAmountFen: 1_000, maxAmountFen: 50_000, minThresholdFen: 1, maxThresholdFen: 20_000 },
  agreementCode: null,
  createdAt: null,
  signedAt: null,
  cancelledAt: null,
  cancelledBy: null,
};

export function session(role: (typeof STAFF_ROLES)[number] = 'operator', username = 'clerk.li') {
  return { token: 'aaa.bbb.ccc', expiresAt: new Date(Date.now() + 8 * 3_600_000).toISOString(), username, role };
}

export function receipt(n: number): string {
  return `01KB${String(n).padStart(22, '0')}`;
}

export function fakeApi(handlers: Record<string, Handler> = {}): FakeApi {
  const api: FakeApi = {
    requests: [],
    handlers: {
      'GET /v1/admin/accounts/{accountNo}': (request) => (request.path.endsWith(`/${ACCOUNT.accountNo}`) ? { status: 200, body: ACCOUNT } : { refuse: 'ACCOUNT_NOT_FOUND' }),
      'GET /v1/admin/card-replacements': () => ({ status: 200, body: { requests: [] } }),
      'GET /v1/admin/accounts/{accountNo}/auto-reload': () => ({ status: 200, body: AUTO_RELOAD_NONE }),
      'GET /v1/admin/accounts/{accountNo}/ledger': () => ({ status: 200, body: { accountNo: ACCOUNT.accountNo, entries: [] } }),
      'GET /v1/admin/accounts/{accountNo}/history': () => ({ status: 200, body: { accountNo: ACCOUNT.accountNo, status: [], cards: [], deviceKeys: [], actions: [] } }),
      'GET /v1/admin/reconciliation-queue': () => ({ status: 200, body: { items: [], counts: { frozen_account: 0, held_offline: 0, finding: 0, stuck_pending: 0 }, findingsBySource: {}, stuckPendingByKind: {} } }),
      'GET /v1/admin/accounts': (request) => {
        const q = request.query.query ?? '';
        const hit = q === ACCOUNT.accountNo ? 'account_no' : q === ACCOUNT.personId ? 'person_id' : ACCOUNT.holderName.startsWith(q) ? 'name' : undefined;
        const found = hit ? [{ accountNo: ACCOUNT.accountNo, holderNameMasked: '张*明', personId: ACCOUNT.personId, status: 'active', balanceFen: ACCOUNT.balanceFen, matchedBy: [hit] }] : [];
        return { status: 200, body: { accounts: found, truncated: false } };
      },
      'GET /v1/admin/reports/turnover': (request) => ({ status: 200, body: turnoverReport(request.query.from ?? '2026-11-24', request.query.to ?? '2026-11-30') }),
      ...handlers,
    },
    sent: (key) => api.requests.filter((r) => `${r.method} ${r.path}` === key),
    fetch: async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://console.test');
      const method = (init?.method ?? 'GET').toUpperCase();
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
      const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
      const request: FakeRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, headers };
      api.requests.push(request);
      const key = `${method} ${url.pathname}`;
      const handler = api.handlers[key] ?? Object.entries(api.handlers).find(([pattern]) => new RegExp(`^${pattern.replace(/\{\w+\}/g, '[^/]+')}$`).test(key))?.[1];
      if (!handler) return json(404, { code: 'ROUTE_NOT_FOUND', message: { zh: '接口不存在', en: 'No such endpoint' }, requestId: 'test' });
      const answer = await handler(request);
      if ('refuse' in answer) {
        const { status, zh, en } = ERRORS[answer.refuse];
        return json(status, { code: answer.refuse, message: { zh: renderMessage(zh, answer.params), en: renderMessage(en, answer.params) }, requestId: 'test' });
      }
      if ('text' in answer) return new Response(answer.text, { status: answer.status, headers: { 'content-type': answer.contentType, ...answer.headers } });
      const route = routeOf(method, url.pathname);
      if (route && answer.status < 300 && !answer.unchecked) route.response.parse(answer.body);
      return json(answer.status, answer.body);
    },
  };
  return api;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A dashboard answer (GET /v1/admin/dashboard) that fits its contract. */
export const DASHBOARD_FIGURES = {
  campusDay: '2026-12-01',
  asOf: '2026-12-01T04:00:00.000Z',
  turnover: {
    paymentsFen: 123_450,
    refundsFen: 450,
    netFen: 123_000,
    count: 321,
    byMerchant: [
      { merchantId: 'M001', name: '第一食堂', paymentsFen: 100_000, refundsFen: 450, count: 300 },
      { merchantId: 'M002', name: '教育超市', paymentsFen: 23_450, refundsFen: 0, count: 21 },
    ],
  },
  topups: { totalFen: 50_000, count: 5, byChannel: [{ channel: 'wechat', amountFen: 30_000, count: 3 }, { channel: 'alipay', amountFen: 20_000, count: 2 }] },
  terminals: { online: 4, offline: 1, onlineWithinMinutes: 5, disabled: 0, pendingActivation: 1 },
  frozenAccounts: 2,
  openFindings: 3,
};

/**
 * A turnover report (GET /v1/admin/reports/turnover) for from..to that fits its contract: on day i
 * (0-based) 第一食堂 takes 100 + i yuan and refunds 1.50 yuan on day 1, 教育超市 takes 20.05 yuan on
 * even days; top-ups: WeChat 50 yuan, Alipay 30 yuan every day, the cash desk 10 yuan on day 0.
 */
export function turnoverReport(from: string, to: string) {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00.000Z`); at <= Date.parse(`${to}T00:00:00.000Z`); at += 86_400_000) days.push(new Date(at).toISOString().slice(0, 10));
  const canteen = days.map((_, i) => ({ turnoverFen: 10_000 + i * 100, refundsFen: i === 1 ? 150 : 0, entries: 10 }));
  const shop = days.map((_, i) => ({ turnoverFen: i % 2 === 0 ? 2_005 : 0, refundsFen: 0, entries: i % 2 === 0 ? 1 : 0 }));
  const merchant = (merchantId: string, name: string, figures: typeof canteen) => {
    const turnoverFen = figures.reduce((sum, f) => sum + f.turnoverFen, 0);
    const refundsFen = figures.reduce((sum, f) => sum + f.refundsFen, 0);
    return { merchantId, name, turnoverFen, refundsFen, netFen: turnoverFen - refundsFen, entries: figures.reduce((sum, f) => sum + f.entries, 0) };
  };
  const channels = (i: number) => [
    { channel: 'wechat' as const, amountFen: 5_000, count: 2 },
    { channel: 'alipay' as const, amountFen: 3_000, count: 1 },
    { channel: 'bank' as const, amountFen: 0, count: 0 },
    { channel: 'cash_desk' as const, amountFen: i === 0 ? 1_000 : 0, count: i === 0 ? 1 : 0 },
  ];
  return {
    from,
    to,
    days: days.map((day, i) => {
      const turnoverFen = canteen[i]!.turnoverFen + shop[i]!.turnoverFen;
      const refundsFen = canteen[i]!.refundsFen;
      return { day, turnoverFen, refundsFen, netFen: turnoverFen - refundsFen, entries: canteen[i]!.entries + shop[i]!.entries };
    }),
    merchants: [merchant('M001', '第一食堂', canteen), merchant('M002', '教育超市', shop)],
    topups: days.map((day, i) => ({ day, totalFen: channels(i).reduce((sum, c) => sum + c.amountFen, 0), byChannel: channels(i) })),
  };
}
