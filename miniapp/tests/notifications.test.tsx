/** Subscribing to messages (issue 18): the prompt after a top-up asks the platform with the server's template ids and tells the server; settings; nothing on H5. */
import { cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseThreshold } from '../src/components/NotificationSettings';
import { shouldAskAfterTopup, templatesToAsk } from '../src/lib/subscriptions';
import { answerRequests, answerSubscriptions, resetTaro, subscribeCalls, type RequestAnswer } from './taro-shim';

const TEMPLATES = {
  wechat: { payment: 'wx-pay', topup: 'wx-topup', low_balance: 'wx-low', loss: 'wx-loss', unfreeze: 'wx-unfreeze' },
  alipay: { payment: 'ali-pay', topup: 'ali-topup', low_balance: 'ali-low', loss: 'ali-loss', unfreeze: 'ali-unfreeze' },
};
const events = { payment: true, topup: true, low_balance: true, loss: true, unfreeze: true };
const fresh = { channel: null, events, lowBalanceFen: null, subscribed: [] as string[], templates: TEMPLATES };

beforeEach(() => resetTaro());
afterEach(() => cleanup());

type Seen = { url: string; method: string; data?: unknown };
async function signedInAs(payerId: string, answer: (request: Seen) => RequestAnswer | undefined): Promise<Seen[]> {
  const seen: Seen[] = [];
  const store = await import('../src/lib/store');
  store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false, payerId });
  answerRequests(async (request) => {
    seen.push({ url: request.url, method: request.method, data: request.data });
    return answer(request) ?? { statusCode: 404, header: {}, data: { code: 'ROUTE_NOT_FOUND', message: { zh: '接口不存在', en: 'No such endpoint' } } };
  });
  return seen;
}

describe('which templates to ask for', () => {
  it('the server’s ids of this platform not yet accepted; none on H5', () => {
    expect(templatesToAsk('weapp', fresh as never, ['payment', 'topup', 'low_balance'])).toEqual(['wx-pay', 'wx-topup', 'wx-low']);
    expect(templatesToAsk('alipay', { ...fresh, subscribed: ['payment'] } as never, ['payment', 'topup'])).toEqual(['ali-topup']);
    expect(templatesToAsk('h5', fresh as never, ['payment'])).toEqual([]);
    expect(shouldAskAfterTopup('weapp', fresh as never, true)).toBe(false);
    expect(shouldAskAfterTopup('weapp', { ...fresh, subscribed: ['payment', 'topup', 'low_balance'] } as never, false)).toBe(false);
  });

  it('a threshold is yuan above 0 or empty', () => {
    expect(parseThreshold('20')).toBe(2_000);
    expect(parseThreshold(' 12.5 ')).toBe(1_250);
    expect(parseThreshold('')).toBeNull();
    expect(parseThreshold('0')).toBeUndefined();
    expect(parseThreshold('1.234')).toBeUndefined();
    expect(parseThreshold('abc')).toBeUndefined();
  });
});

describe('the prompt after the first top-up', () => {
  it('asks WeChat for the three templates the server serves and tells the server what was accepted, once per phone', async () => {
    answerSubscriptions(async (ids) => Object.fromEntries(ids.map((id) => [id, id === 'wx-low' ? 'reject' : 'accept'])));
    const seen = await signedInAs('o-openid-1', (request) => {
      if (request.method === 'GET' && request.url.endsWith('/v1/holder/notifications')) return { statusCode: 200, header: {}, data: fresh };
      if (request.method === 'POST' && request.url.endsWith('/v1/holder/notifications/subscriptions')) {
        return { statusCode: 200, header: {}, data: { ...fresh, channel: 'wechat', subscribed: ['payment', 'topup'] } };
      }
      return undefined;
    });
    const { SubscribePrompt } = await import('../src/components/SubscribePrompt');
    const view = render(<SubscribePrompt lang="zh" target="weapp" />);
    const accept = await view.findByText('开启提醒');
    expect(subscribeCalls).toEqual([]); // the dialog opens only from the tap
    fireEvent.click(accept);
    await view.findByText('已开启提醒');
    expect(subscribeCalls).toEqual([['wx-pay', 'wx-topup', 'wx-low']]);
    expect(seen.find((request) => request.method === 'POST')!.data).toEqual({ platform: 'wechat', platformUserId: 'o-openid-1', accepted: ['wx-pay', 'wx-topup'], rejected: ['wx-low'] });
    cleanup();

    // The next top-up on this phone does not ask again, nor even read the settings.
    const before = seen.length;
    const again = render(<SubscribePrompt lang="zh" target="weapp" />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(again.queryByText('开启提醒')).toBeNull();
    expect(seen.length).toBe(before);
  });

  it('says so when everything was refused', async () => {
    answerSubscriptions(async (ids) => Object.fromEntries(ids.map((id) => [id, 'reject'])));
    await signedInAs('o-openid-2', (request) => {
      if (request.method === 'GET') return { statusCode: 200, header: {}, data: fresh };
      return { statusCode: 200, header: {}, data: { ...fresh, channel: 'wechat' } };
    });
    const { SubscribePrompt } = await import('../src/components/SubscribePrompt');
    const view = render(<SubscribePrompt lang="zh" target="weapp" />);
    fireEvent.click(await view.findByText('开启提醒'));
    await view.findByText('未开启提醒，可随时在“设置”中开启');
  });

  it('on H5 shows nothing and asks nothing', async () => {
    const seen = await signedInAs('h5', () => ({ statusCode: 200, header: {}, data: fresh }));
    const { SubscribePrompt } = await import('../src/components/SubscribePrompt');
    const view = render(<SubscribePrompt lang="zh" target="h5" />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(view.container.textContent).toBe('');
    expect(seen).toEqual([]);
    expect(subscribeCalls).toEqual([]);
  });
});

describe('notification settings', () => {
  it('H5 says it gets no messages and offers no control', async () => {
    const seen = await signedInAs('h5', () => undefined);
    const { NotificationSettings } = await import('../src/components/NotificationSettings');
    const view = render(<NotificationSettings lang="zh" target="h5" />);
    expect(view.getByText(/网页版无法接收微信或支付宝的消息提醒/)).toBeTruthy();
    expect(view.queryByText('提交')).toBeNull();
    expect(view.queryByText('开启微信/支付宝消息提醒')).toBeNull();
    expect(view.queryByText('消费提醒')).toBeNull();
    expect(seen).toEqual([]);
  });

  it('turns a kind off and sets the threshold; a bad threshold is refused in words and sends nothing', async () => {
    let current = { ...fresh, channel: 'wechat', subscribed: ['payment', 'topup', 'low_balance'] };
    const seen = await signedInAs('o-openid-3', (request) => {
      if (request.method === 'PUT') current = { ...current, ...(request.data as object), events: { ...current.events, ...((request.data as { events?: object }).events ?? {}) } };
      return { statusCode: 200, header: {}, data: current };
    });
    const { NotificationSettings } = await import('../src/components/NotificationSettings');
    const view = render(<NotificationSettings lang="zh" target="weapp" />);
    await view.findByText('消费提醒');
    expect(view.getByText('挂失提醒 · 未订阅')).toBeTruthy();
    const paymentRow = view.container.querySelector('#notify-payment')!;
    fireEvent.click(Array.from(paymentRow.querySelectorAll('.switch__item')).find((item) => item.textContent === '关')!);
    await waitFor(() => expect(seen.some((request) => request.method === 'PUT')).toBe(true));
    expect(seen.find((request) => request.method === 'PUT')!.data).toEqual({ events: { payment: false } });

    const input = view.container.querySelector('input[name="lowBalance"]') as HTMLInputElement;
    fireEvent.input(input, { target: { value: '0' } });
    const puts = () => seen.filter((request) => request.method === 'PUT').length;
    const before = puts();
    fireEvent.click(view.getByText('提交'));
    await view.findByText('请输入大于 0 的金额（最多两位小数），或留空');
    expect(puts()).toBe(before);
    fireEvent.input(input, { target: { value: '20' } });
    fireEvent.click(view.getByText('提交'));
    await waitFor(() => expect(puts()).toBe(before + 1));
    expect(seen.filter((request) => request.method === 'PUT').at(-1)!.data).toEqual({ lowBalanceFen: 2_000 });

    // Loss and unfreeze are left to accept (the lost-card kinds have no template here): the button asks for them.
    fireEvent.click(view.getByText('开启微信/支付宝消息提醒'));
    await waitFor(() => expect(subscribeCalls).toEqual([['wx-loss', 'wx-unfreeze']]));
  });
});

describe('what settings asks for next', () => {
  it('every kind with a template not yet accepted, most useful first, three at a time (the platforms’ limit)', async () => {
    const { nextKindsToAsk } = await import('../src/lib/subscriptions');
    const ids = { payment: 'p', topup: 't', low_balance: 'l', loss: 'x', lost_card_tapped: 'y', card_found: 'z', unfreeze: 'u', auto_reload_refused: 'r' };
    const settings = (subscribed: string[]) => ({ templates: { wechat: ids }, subscribed }) as never;
    expect(nextKindsToAsk('weapp', settings([]))).toEqual(['payment', 'topup', 'low_balance']);
    expect(nextKindsToAsk('weapp', settings(['payment', 'topup', 'low_balance']))).toEqual(['loss', 'lost_card_tapped', 'card_found']);
    // A refused automatic reload's message is asked for too, after the others.
    expect(nextKindsToAsk('weapp', settings(['payment', 'topup', 'low_balance', 'loss', 'lost_card_tapped', 'card_found']))).toEqual(['unfreeze', 'auto_reload_refused']);
    expect(nextKindsToAsk('weapp', settings(['payment', 'topup', 'low_balance', 'loss', 'lost_card_tapped', 'card_found', 'unfreeze']))).toEqual(['auto_reload_refused']);
    expect(nextKindsToAsk('h5', settings([]))).toEqual([]);
  });
});
