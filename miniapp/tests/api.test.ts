import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApiClient, historyQuery, type HttpRequest, type HttpResponse } from '../src/lib/api';

function client(answer: (request: HttpRequest) => HttpResponse | Promise<HttpResponse>, extra: Partial<Parameters<typeof createApiClient>[0]> = {}) {
  const sent: HttpRequest[] = [];
  const api = createApiClient({
    baseUrl: 'https://ecard.example.edu',
    transport: async (request) => {
      sent.push(request);
      return answer(request);
    },
    session: () => 'session-token',
    ...extra,
  });
  return { api, sent };
}

describe('the API client', () => {
  it('sends the session and JSON, and returns the body', async () => {
    const { api, sent } = client(() => ({ status: 200, headers: {}, body: { dailyLimitFen: 8_000 } }));
    await expect(api.setDailyLimit(8_000, '123456')).resolves.toEqual({ dailyLimitFen: 8_000 });
    expect(sent[0]).toMatchObject({ method: 'PUT', url: 'https://ecard.example.edu/v1/holder/daily-limit', body: { dailyLimitFen: 8_000, consumptionPassword: '123456' } });
    expect(sent[0]!.headers).toMatchObject({ authorization: 'Bearer session-token', 'content-type': 'application/json' });
  });

  it('does not send the session to sign-in routes', async () => {
    const { api, sent } = client(() => ({ status: 200, headers: {}, body: {} }));
    await api.passwordLogin('2024000002', '070022');
    expect(sent[0]!.headers.authorization).toBeUndefined();
  });

  it('turns error answers into ApiError with the server’s words, and signs out on an expired session', async () => {
    const onSignedOut = vi.fn();
    const { api } = client(() => ({ status: 401, headers: {}, body: { code: 'SESSION_EXPIRED', message: { zh: '登录已过期，请重新登录', en: 'Your session has expired; please sign in again' } } }), { onSignedOut });
    const error = await api.account().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'SESSION_EXPIRED', status: 401, messages: { zh: '登录已过期，请重新登录' } });
    expect(onSignedOut).toHaveBeenCalledOnce();
  });

  it('keeps the values the server’s message names, for the app’s own words', async () => {
    const body = { code: 'PASSWORD_LOCKED', message: { zh: '密码错误次数过多，已锁定 30 分钟', en: 'Too many wrong attempts: locked for 30 minutes' }, params: { minutes: 30 } };
    const { api } = client(() => ({ status: 423, headers: {}, body }));
    await expect(api.reportLoss('999999')).rejects.toMatchObject({ code: 'PASSWORD_LOCKED', messages: body.message, params: { minutes: 30 } });
  });

  it('a gateway page or no answer at all is still a clean ApiError', async () => {
    await expect(client(() => ({ status: 502, headers: {}, body: '<html>Bad Gateway</html>' })).api.account()).rejects.toMatchObject({ code: 'BAD_RESPONSE', status: 502 });
    await expect(client(() => Promise.reject(new Error('request:fail timeout'))).api.account()).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });

  it('reads the server clock from the Date header of every answer', async () => {
    const onServerTime = vi.fn();
    let now = 1_000;
    const { api } = client(() => ({ status: 200, headers: { date: 'Mon, 23 Nov 2026 04:00:10 GMT' }, body: {} }), { onServerTime, now: () => (now += 100) });
    await api.account();
    expect(onServerTime).toHaveBeenCalledWith(Date.parse('2026-11-23T04:00:10.500Z'), 1_100, 1_200);
  });

  it('builds history queries', () => {
    expect(historyQuery({})).toBe('');
    expect(historyQuery({ from: '2026-11-01', to: '2026-11-30', types: ['purchase', 'fee'], cursor: '01M84AAJZMMJAZ0ASVQ4FQJR8Z', limit: 20 })).toBe(
      '?from=2026-11-01&to=2026-11-30&type=purchase,fee&cursor=01M84AAJZMMJAZ0ASVQ4FQJR8Z&limit=20',
    );
  });
});
