import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen } from '@testing-library/react';
import { adjustBalance, getAdminAccount, listAuditLog } from '@shared/api/admin';
import { getDashboardRoute } from '@shared/api/console';
import { ERRORS } from '@shared/errors';
import { ApiError, ConsoleClient } from '../src/api';
import { ACCOUNT, DASHBOARD_FIGURES as FIGURES, fakeApi, receipt, session } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

function signedIn(api = fakeApi(), onUnauthorized?: (error: ApiError) => void) {
  sessionStorage.clear();
  sessionStorage.setItem('ecard.console.session', JSON.stringify(session()));
  return new ConsoleClient({ fetch: api.fetch, storage: sessionStorage, onUnauthorized });
}

describe('the console client', { timeout: 30_000 }, () => {
  it('takes the dashboard answer src/prefetch.ts asked for, once, for the same URL and token only, and checks it like any answer', async () => {
    const api = fakeApi({ 'GET /v1/admin/dashboard': () => ({ status: 200, body: { ...FIGURES, frozenAccounts: 9 } }) });
    const client = signedIn(api);
    const prefetched = (body: unknown) => ({ response: Promise.resolve(new Response(JSON.stringify(body), { status: 200 })), at: Date.now() });
    const store: Record<string, unknown> = {
      [`GET /v1/admin/dashboard Bearer ${session().token}`]: prefetched({ ...FIGURES, frozenAccounts: 1 }),
      [`GET /v1/admin/dashboard Bearer someone-else`]: prefetched({ ...FIGURES, frozenAccounts: 2 }),
    };
    (globalThis as Record<string, unknown>).__ecardConsolePrefetch = store;
    try {
      expect((await client.call(getDashboardRoute, {})).frozenAccounts).toBe(1);
      expect(api.requests).toEqual([]);
      // Once: a refresh asks the API.
      expect((await client.call(getDashboardRoute, {})).frozenAccounts).toBe(9);
      expect(api.requests).toHaveLength(1);
      // Another token's answer is never taken; a stale one is dropped, not used.
      store[`GET /v1/admin/dashboard Bearer ${session().token}`] = { ...prefetched({ ...FIGURES, frozenAccounts: 3 }), at: Date.now() - 60_000 };
      expect((await client.call(getDashboardRoute, {})).frozenAccounts).toBe(9);
      // A prefetched answer is checked against the contract like any other.
      store[`GET /v1/admin/dashboard Bearer ${session().token}`] = prefetched({ campusDay: 'yesterday' });
      await expect(client.call(getDashboardRoute, {})).rejects.toMatchObject({ code: 'BAD_ANSWER' });
      expect(Object.keys(store)).toEqual([`GET /v1/admin/dashboard Bearer someone-else`]);
    } finally {
      delete (globalThis as Record<string, unknown>).__ecardConsolePrefetch;
    }
  });

  it('checks the body with the contract before sending: a bad one never leaves the browser', async () => {
    const api = fakeApi();
    const client = signedIn(api);
    const error = await client
      .call(adjustBalance, { params: { accountNo: ACCOUNT.accountNo }, body: { direction: 'credit', amountFen: 1.5, reason: 'x', adjustmentId: 'a1' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('VALIDATION_FAILED');
    expect((error as ApiError).status).toBe(0);
    expect((error as ApiError).issues.map((i) => i.path).sort()).toEqual(['amountFen', 'reason']);
    expect((error as ApiError).zh).toContain(ERRORS.VALIDATION_FAILED.zh);
    // Params are checked too: an account number that is not one is never put in a path.
    await expect(client.call(getAdminAccount, { params: { accountNo: '12/../x' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(api.requests).toEqual([]);
  });

  it('sends the method, path, query and bearer token of the contract, and parses the answer with its schema', async () => {
    const api = fakeApi({
      'POST /v1/admin/accounts/{accountNo}/adjustments': (request) => ({ status: 200, body: { receiptNo: receipt(1), direction: 'credit', amountFen: request.body!.amountFen, balanceFen: 13_345, replayed: false } }),
      'GET /v1/admin/audit': () => ({ status: 200, body: { day: '2026-12-01', entries: [] } }),
    });
    const client = signedIn(api);
    const posted = await client.call(adjustBalance, { params: { accountNo: ACCOUNT.accountNo }, body: { direction: 'credit', amountFen: 1_000, reason: '  补录漏记的充值  ', adjustmentId: 'adj-1' } });
    expect(posted.balanceFen).toBe(13_345);
    const [sent] = api.sent(`POST /v1/admin/accounts/${ACCOUNT.accountNo}/adjustments`);
    expect(sent!.headers.authorization).toBe('Bearer aaa.bbb.ccc');
    expect(sent!.headers['content-type']).toBe('application/json');
    expect(sent!.body).toEqual({ direction: 'credit', amountFen: 1_000, reason: '补录漏记的充值', adjustmentId: 'adj-1' }); // the contract's trim applied
    await client.call(listAuditLog, { query: { day: '2026-12-01' } });
    expect(api.sent('GET /v1/admin/audit')[0]!.query).toEqual({ day: '2026-12-01', limit: '100' });
  });

  it('an answer that is not what the contract says is refused, not shown', async () => {
    const api = fakeApi({ 'GET /v1/admin/accounts/{accountNo}': () => ({ status: 200, body: { accountNo: ACCOUNT.accountNo }, unchecked: true }) });
    await expect(signedIn(api).call(getAdminAccount, { params: { accountNo: ACCOUNT.accountNo } })).rejects.toMatchObject({ code: 'BAD_ANSWER' });
  });

  it('a refusal carries the server’s code and zh/en message; a dropped network says so', async () => {
    const api = fakeApi({ 'POST /v1/admin/accounts/{accountNo}/adjustments': () => ({ refuse: 'INSUFFICIENT_BALANCE' }) });
    const error = (await signedIn(api)
      .call(adjustBalance, { params: { accountNo: ACCOUNT.accountNo }, body: { direction: 'debit', amountFen: 99_999, reason: '扣回多充', adjustmentId: 'adj-2' } })
      .catch((caught: unknown) => caught)) as ApiError;
    expect([error.status, error.code, error.zh, error.en]).toEqual([ERRORS.INSUFFICIENT_BALANCE.status, 'INSUFFICIENT_BALANCE', ERRORS.INSUFFICIENT_BALANCE.zh, ERRORS.INSUFFICIENT_BALANCE.en]);
    const down = new ConsoleClient({ fetch: () => Promise.reject(new TypeError('Failed to fetch')), storage: sessionStorage });
    await expect(down.call(getAdminAccount, { params: { accountNo: ACCOUNT.accountNo } })).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });

  it('keeps the session in sessionStorage; a 401 drops it and reports it', async () => {
    const api = fakeApi({ 'GET /v1/admin/accounts/{accountNo}': () => ({ refuse: 'SESSION_EXPIRED' }) });
    const onUnauthorized = vi.fn();
    const client = signedIn(api, onUnauthorized);
    expect(client.session()?.username).toBe('clerk.li');
    await expect(client.call(getAdminAccount, { params: { accountNo: ACCOUNT.accountNo } })).rejects.toMatchObject({ code: 'SESSION_EXPIRED', status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(sessionStorage.getItem('ecard.console.session')).toBeNull();
    expect(client.session()).toBeUndefined();
  });

  it('an expired stored session counts as none', () => {
    sessionStorage.setItem('ecard.console.session', JSON.stringify({ ...session(), expiresAt: new Date(Date.now() - 1000).toISOString() }));
    expect(new ConsoleClient({ storage: sessionStorage, fetch: fakeApi().fetch }).session()).toBeUndefined();
  });

  it('in the app, a 401 on the account page sends staff back to sign-in and drops the session', async () => {
    const api = fakeApi({ 'GET /v1/admin/accounts/{accountNo}': () => ({ refuse: 'SESSION_EXPIRED' }) });
    renderConsole(api, { path: `/accounts/${ACCOUNT.accountNo}`, session: session() });
    expect(await screen.findByTestId('sign-in-username')).toBeTruthy();
    expect(sessionStorage.getItem('ecard.console.session')).toBeNull();
  });
});
