/** Automatic reload in the mini-program (issue 18 item 2): the form checked with the server's bounds, each status's view, sign → poll → active, change, cancel. */
import { act, cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type AutoReload, type AutoReloadSigning } from '../src/lib/api';
import { checkSettings, confirmSigning, formDefaults, runSigning, type SigningPhase } from '../src/pages/auto-reload/flow';
import { alipaySigningPath } from '../src/lib/platform';
import { answerRequests, navigations, resetTaro, type RequestAnswer } from './taro-shim';

beforeEach(() => resetTaro());
afterEach(() => cleanup());

const BOUNDS = { minAmountFen: 1_000, maxAmountFen: 50_000, minThresholdFen: 1, maxThresholdFen: 20_000 };
const NONE: AutoReload = { status: 'none', channel: null, thresholdFen: null, amountFen: null, reloadsToday: 0, dailyMax: 2, bounds: BOUNDS };
const ACTIVE: AutoReload = { ...NONE, status: 'active', channel: 'wechat', thresholdFen: 2_000, amountFen: 5_000, reloadsToday: 1 };
const SIGNING: AutoReloadSigning = {
  agreementCode: 'A10002abc',
  signing: { channel: 'wechat', navigateToMiniProgram: { appId: 'wxbd687630cd02ce1d', path: 'pages/index/index', extraData: { preentrustwebid: 'pre1' } } },
};
const json = (statusCode: number, data: unknown): RequestAnswer => ({ statusCode, header: {}, data });
const OUT_OF_RANGE = json(400, {
  code: 'AUTO_RELOAD_OUT_OF_RANGE',
  message: { zh: '自动充值的阈值须在 0.01–200 元之间，金额须在 10–500 元之间', en: 'The automatic reload threshold must be 0.01–200 yuan and its amount 10–500 yuan' },
});

describe('the form', () => {
  it('takes yuan within the server’s bounds and names the bounds in words otherwise', () => {
    expect(checkSettings({ threshold: '20', amount: '50' }, BOUNDS)).toEqual({ ok: true, thresholdFen: 2_000, amountFen: 5_000 });
    expect(checkSettings({ threshold: ' 0.01 ', amount: '500' }, BOUNDS)).toEqual({ ok: true, thresholdFen: 1, amountFen: 50_000 });
    const bad = checkSettings({ threshold: '200.01', amount: '9.99' }, BOUNDS);
    expect(bad).toEqual({ ok: false, errors: { threshold: { key: 'autoReload.thresholdInvalid', min: 1, max: 20_000 }, amount: { key: 'autoReload.amountInvalid', min: 1_000, max: 50_000 } } });
    expect(checkSettings({ threshold: '0', amount: '50' }, BOUNDS).ok).toBe(false);
    expect(checkSettings({ threshold: '1.234', amount: '50' }, BOUNDS).ok).toBe(false);
    expect(checkSettings({ threshold: '20', amount: 'abc' }, BOUNDS).ok).toBe(false);
    expect(checkSettings({ threshold: '', amount: '' }, BOUNDS).ok).toBe(false);
    // A campus that narrows the bounds narrows the app's check too: there is no number of the app's own.
    expect(checkSettings({ threshold: '20', amount: '50' }, { ...BOUNDS, maxAmountFen: 3_000 }).ok).toBe(false);
  });

  it('starts from the account’s threshold and amount, or 20 and 50 yuan, within the bounds', () => {
    expect(formDefaults(NONE)).toEqual({ thresholdFen: 2_000, amountFen: 5_000 });
    expect(formDefaults({ ...NONE, thresholdFen: 800, amountFen: 3_000 })).toEqual({ thresholdFen: 800, amountFen: 3_000 });
    expect(formDefaults({ ...NONE, bounds: { ...BOUNDS, maxThresholdFen: 1_000, minAmountFen: 6_000 } })).toEqual({ thresholdFen: 1_000, amountFen: 6_000 });
  });
});

describe('one signing', () => {
  function fakeApi(answers: Array<AutoReload | Error>) {
    const calls: unknown[] = [];
    return {
      calls,
      api: {
        signAutoReload: async (...args: unknown[]) => {
          calls.push(['sign', ...args]);
          return SIGNING;
        },
        autoReload: async () => {
          calls.push(['get']);
          const next = answers.length > 1 ? answers.shift()! : answers[0]!;
          if (next instanceof Error) throw next;
          return next;
        },
      },
    };
  }

  it('signs, polls until the server says active, and never says so itself', async () => {
    const { api, calls } = fakeApi([{ ...NONE, status: 'signing' }, new ApiError('NETWORK', 0), ACTIVE]);
    const phases: SigningPhase['kind'][] = [];
    const signed: AutoReloadSigning[] = [];
    const final = await runSigning({ api, sign: async (created) => (signed.push(created), 'returned'), sleep: async () => undefined, onPhase: (p) => phases.push(p.kind) }, 'wechat', 2_000, 5_000);
    expect(final).toEqual({ kind: 'active', view: ACTIVE });
    expect(signed).toEqual([SIGNING]);
    expect(calls).toEqual([['sign', 'wechat', 2_000, 5_000], ['get'], ['get'], ['get']]);
    expect(phases).toEqual(['starting', 'signing', 'confirming', 'confirming', 'confirming', 'active']);
  });

  it('gives up waiting with the agreement still signing (pending), and looks once when the holder backed out', async () => {
    const still = { ...NONE, status: 'signing' as const };
    const waited = await confirmSigning({ api: fakeApi([still]).api, sleep: async () => undefined, onPhase: () => undefined, pollAttempts: 3 }, 'returned');
    expect(waited).toEqual({ kind: 'pending', view: still, outcome: 'returned' });
    const { api, calls } = fakeApi([still]);
    expect(await confirmSigning({ api, sleep: async () => undefined, onPhase: () => undefined }, 'cancelled')).toEqual({ kind: 'pending', view: still, outcome: 'cancelled' });
    expect(calls).toHaveLength(1);
  });

  it('a refused start is a failure with the server’s words, and nothing is opened', async () => {
    let opened = false;
    const api = {
      signAutoReload: async () => {
        throw new ApiError('AUTO_RELOAD_OUT_OF_RANGE', 400, { zh: '超出范围', en: 'Out of range' });
      },
      autoReload: async () => NONE,
    };
    const final = await runSigning({ api, sign: async () => ((opened = true), 'returned'), sleep: async () => undefined, onPhase: () => undefined }, 'wechat', 2_000, 5_000);
    expect(final.kind).toBe('failed');
    expect(opened).toBe(false);
  });

  it('Alipay’s signing URL opens in the fixed signing app with its query encoded once', () => {
    expect(alipaySigningPath('https://openapi.alipay.com/gateway.do?a=1&b=x%20y')).toBe(
      `alipays://platformapi/startapp?appId=60000157&appClearTop=false&startMultApp=YES&sign_params=${encodeURIComponent('a=1&b=x%20y')}`,
    );
    expect(alipaySigningPath('alipays://platformapi/startapp?appId=60000157&x=1')).toBe('alipays://platformapi/startapp?appId=60000157&x=1');
  });
});

/** The server as the page sees it: the agreement's state, what was sent, and the dev route that signs. */
function fakeServer(initial: AutoReload) {
  let state = initial;
  const sent: Array<{ method: string; path: string; data?: unknown }> = [];
  let refuseNext: RequestAnswer | undefined;
  answerRequests(async (request) => {
    const path = request.url.replace(/^https?:\/\/[^/]+/, '');
    sent.push({ method: request.method, path, ...(request.data !== undefined ? { data: request.data } : {}) });
    if (refuseNext && request.method !== 'GET') {
      const answer = refuseNext;
      refuseNext = undefined;
      return answer;
    }
    if (path === '/v1/holder/auto-reload' && request.method === 'GET') return json(200, state);
    if (path === '/v1/holder/auto-reload' && request.method === 'POST') {
      const body = request.data as { thresholdFen: number; amountFen: number };
      state = { ...state, status: 'signing', channel: 'wechat', thresholdFen: body.thresholdFen, amountFen: body.amountFen };
      return json(201, SIGNING);
    }
    if (path === `/__fake/wechat/agreements/sign/${SIGNING.agreementCode}` && request.method === 'POST') {
      state = { ...state, status: 'active' };
      return json(200, { notified: 200 });
    }
    if (path === '/v1/holder/auto-reload' && request.method === 'PUT') {
      state = { ...state, ...(request.data as object) };
      return json(200, state);
    }
    if (path === '/v1/holder/auto-reload' && request.method === 'DELETE') {
      state = { ...state, status: 'cancelled' };
      return json(200, state);
    }
    return json(404, { code: 'ROUTE_NOT_FOUND', message: { zh: '接口不存在', en: 'No such endpoint' } });
  });
  return { sent, refuse: (answer: RequestAnswer) => void (refuseNext = answer), writes: () => sent.filter((r) => r.method !== 'GET') };
}

async function page() {
  const store = await import('../src/lib/store');
  store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
  store.setLang('zh');
  const { default: AutoReloadPage } = await import('../src/pages/auto-reload/index');
  const view = render(<AutoReloadPage />);
  const $ = (selector: string) => view.container.querySelector(selector);
  const type = (name: string, value: string) => fireEvent.input($(`#field-${name} input, input[name="${name}"]`)!, { target: { value } });
  const problems = () => Array.from(view.container.querySelectorAll('.field__problem')).map((node) => node.textContent);
  return { view, $, type, problems };
}

describe('the page', () => {
  it('none: a form with defaults; bad values are refused under the field and nothing is sent; the server’s refusal is shown', async () => {
    const server = fakeServer(NONE);
    const { $, type, problems, view } = await page();
    await waitFor(() => expect($('#auto-reload-form')).not.toBeNull());
    expect(($('input[name="autoReloadThreshold"]') as HTMLInputElement).value).toBe('20');
    expect(($('input[name="autoReloadAmount"]') as HTMLInputElement).value).toBe('50');
    expect($('#auto-reload-form')!.textContent).toContain('微信支付 委托代扣（本地演示）');
    expect($('#auto-reload-form')!.textContent).toContain('每天最多自动充值 2 次，可随时关闭');
    type('autoReloadThreshold', '300');
    type('autoReloadAmount', '5');
    fireEvent.click($('#auto-reload-sign')!);
    await waitFor(() => expect(problems()).toEqual(['请输入 0.01–200 元之间的金额，最多两位小数', '请输入 10–500 元之间的金额，最多两位小数']));
    expect(server.writes()).toEqual([]);

    // The server checks the same (its campus may have changed meanwhile): its words are shown, nothing else happens.
    type('autoReloadThreshold', '30');
    type('autoReloadAmount', '40');
    server.refuse(OUT_OF_RANGE);
    await act(async () => void fireEvent.click($('#auto-reload-sign')!));
    await waitFor(() => expect(view.container.textContent).toContain('自动充值的阈值须在 0.01–200 元之间，金额须在 10–500 元之间'));
    expect(problems()).toEqual([]);
    expect($('#local-agreement')).toBeNull();
  });

  it('signs through the H5 stand-in, polls until active, shows the agreement and today’s reloads', async () => {
    const server = fakeServer(NONE);
    const { $, type } = await page();
    await waitFor(() => expect($('#auto-reload-sign')).not.toBeNull());
    type('autoReloadThreshold', '15');
    type('autoReloadAmount', '30');
    await act(async () => void fireEvent.click($('#auto-reload-sign')!));
    await waitFor(() => expect($('#local-agreement')).not.toBeNull());
    expect($('#local-agreement')!.textContent).toContain('本地演示：模拟在支付平台签约');
    expect($('#auto-reload-sign')!.hasAttribute('disabled')).toBe(true); // busy while signing
    await act(async () => void fireEvent.click($('#agreement-sign')!));
    await waitFor(() => expect($('#auto-reload-active')).not.toBeNull());
    expect(server.writes()).toEqual([
      { method: 'POST', path: '/v1/holder/auto-reload', data: { channel: 'wechat', thresholdFen: 1_500, amountFen: 3_000 } },
      { method: 'POST', path: `/__fake/wechat/agreements/sign/${SIGNING.agreementCode}`, data: {} },
    ]);
    expect($('#auto-reload-active')!.textContent).toContain('自动充值已开启');
    expect($('#auto-reload-threshold')!.textContent).toBe('¥15.00');
    expect($('#auto-reload-amount')!.textContent).toBe('¥30.00');
    expect($('#auto-reload-today')!.textContent).toBe('今日已自动充值 0 次（每天最多 2 次）');
    expect($('#local-agreement')).toBeNull();
  });

  it('active: changes threshold and amount (checked first), then turns it off after a confirmation', async () => {
    const server = fakeServer(ACTIVE);
    const { $, type, problems, view } = await page();
    await waitFor(() => expect($('#auto-reload-active')).not.toBeNull());
    expect($('#auto-reload-today')!.textContent).toBe('今日已自动充值 1 次（每天最多 2 次）');
    type('autoReloadAmount', '600');
    fireEvent.click($('#auto-reload-save')!);
    await waitFor(() => expect(problems()).toEqual(['请输入 10–500 元之间的金额，最多两位小数']));
    expect(server.writes()).toEqual([]);
    type('autoReloadThreshold', '25');
    type('autoReloadAmount', '60');
    await act(async () => void fireEvent.click($('#auto-reload-save')!));
    await waitFor(() => expect($('#auto-reload-amount')!.textContent).toBe('¥60.00'));
    expect(view.container.textContent).toContain('已保存');
    expect(server.writes()).toEqual([{ method: 'PUT', path: '/v1/holder/auto-reload', data: { thresholdFen: 2_500, amountFen: 6_000 } }]);

    // Turning it off asks first; 取消 leaves it on.
    fireEvent.click($('#auto-reload-cancel')!);
    await waitFor(() => expect($('#auto-reload-cancel-confirm')).not.toBeNull());
    expect(server.writes()).toHaveLength(1);
    fireEvent.click($('#auto-reload-cancel-no')!);
    await waitFor(() => expect($('#auto-reload-cancel-confirm')).toBeNull());
    fireEvent.click($('#auto-reload-cancel')!);
    await act(async () => void fireEvent.click($('#auto-reload-cancel-yes')!));
    await waitFor(() => expect($('#auto-reload-cancelled')).not.toBeNull());
    expect($('#auto-reload-cancelled')!.textContent).toBe('自动充值已关闭');
    expect($('#auto-reload-active')).toBeNull();
    expect($('#auto-reload-sign')).not.toBeNull(); // it can be signed again
    expect(server.writes().at(-1)).toEqual({ method: 'DELETE', path: '/v1/holder/auto-reload' });
  });

  it('signing (came back without finishing): 签约未完成 with retry and cancel', async () => {
    const server = fakeServer({ ...NONE, status: 'signing', channel: 'wechat', thresholdFen: 1_000, amountFen: 2_000 });
    const { $ } = await page();
    await waitFor(() => expect($('#auto-reload-unfinished')).not.toBeNull());
    expect($('#auto-reload-unfinished')!.textContent).toContain('签约未完成');
    expect(($('input[name="autoReloadThreshold"]') as HTMLInputElement).value).toBe('10');
    expect(($('input[name="autoReloadAmount"]') as HTMLInputElement).value).toBe('20');
    // Retry opens the stand-in again; backing out of it leaves the agreement unfinished, without the "being confirmed" note.
    await act(async () => void fireEvent.click($('#auto-reload-retry')!));
    await waitFor(() => expect($('#local-agreement')).not.toBeNull());
    await act(async () => void fireEvent.click($('#agreement-back')!));
    await waitFor(() => expect($('#auto-reload-unfinished')).not.toBeNull());
    expect($('#auto-reload-pending')).toBeNull();
    await act(async () => void fireEvent.click($('#auto-reload-abandon')!));
    await waitFor(() => expect($('#auto-reload-cancelled')).not.toBeNull());
    expect(server.writes().map((r) => r.method)).toEqual(['POST', 'DELETE']);
  });

  it('in English, and the settings row leads to the page with the status', async () => {
    fakeServer(ACTIVE);
    const store = await import('../src/lib/store');
    store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
    store.setLang('en');
    const { AutoReloadRow } = await import('../src/pages/auto-reload/row');
    const row = render(<AutoReloadRow lang="en" />);
    await waitFor(() => expect(row.container.textContent).toContain('Automatic reload · On'));
    fireEvent.click(row.container.querySelector('#auto-reload-row')!);
    expect(navigations).toEqual(['/pages/auto-reload/index']);
    cleanup();
    const { default: AutoReloadPage } = await import('../src/pages/auto-reload/index');
    const view = render(<AutoReloadPage />);
    await waitFor(() => expect(view.container.textContent).toContain('Automatic reload is on'));
    expect(view.container.textContent).toContain('1 automatic reloads today (at most 2 a day)');
    store.setLang('zh');
  });
});
