/**
 * The dashboard's data, asked for before the app's code has loaded: a tiny entry of its own (no
 * imports), run while the browser still fetches and compiles the main entry, so the dashboard's
 * answer is there when its screen first renders instead of being asked for only then (issue 16's
 * first render ≤ 1 s: the request otherwise waits ~0.7 s behind React, Ant Design and ECharts).
 * Only for a signed-in tab opening the home or the dashboard; the client (api.ts, `takePrefetched`)
 * takes the answer once, for the same URL and token, and checks it against the contract as always.
 */
const SESSION_KEY = 'ecard.console.session';
const PREFETCH_KEY = '__ecardConsolePrefetch';
const DASHBOARD = '/v1/admin/dashboard';

try {
  const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as { token?: unknown; expiresAt?: unknown } | null;
  const home = /^\/console\/?(dashboard\/?)?$/.test(location.pathname);
  if (home && session && typeof session.token === 'string' && typeof session.expiresAt === 'string' && Date.parse(session.expiresAt) > Date.now()) {
    const authorization = `Bearer ${session.token}`;
    const response = fetch(DASHBOARD, { headers: { accept: 'application/json', authorization } });
    // A failed prefetch is only a missed head start: the client asks again.
    response.catch(() => undefined);
    (globalThis as Record<string, unknown>)[PREFETCH_KEY] = { [`GET ${DASHBOARD} ${authorization}`]: { response, at: Date.now() } };
  }
} catch {
  // No storage (a locked-down browser): nothing to prefetch.
}
