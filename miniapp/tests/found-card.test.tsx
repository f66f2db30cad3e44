/** Lost and found in the mini-program (issue 18): the 拾到校园卡 page, and the lost card's taps and found notice on the card page's part. */
import { act, cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerRequests, resetTaro, type RequestAnswer } from './taro-shim';

beforeEach(() => resetTaro());
afterEach(() => cleanup());

const NOT_FOUND: RequestAnswer = { statusCode: 404, header: {}, data: { code: 'ROUTE_NOT_FOUND', message: { zh: '接口不存在', en: 'No such endpoint' } } };

async function signedIn() {
  const store = await import('../src/lib/store');
  store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
}

function type(container: HTMLElement, name: string, value: string) {
  fireEvent.input(container.querySelector(`#field-${name} input, input[name="${name}"]`)!, { target: { value } });
}

describe('拾到校园卡', () => {
  it('checks the number before sending, then thanks the finder and says where to hand the card in', async () => {
    await signedIn();
    const sent: unknown[] = [];
    answerRequests(async (request) => {
      if (request.method === 'POST' && request.url.endsWith('/v1/holder/found-cards')) {
        sent.push(request.data);
        return { statusCode: 200, header: {}, data: { received: true, message: '谢谢，已通知失主', handInAt: '卡务中心服务台' } };
      }
      return NOT_FOUND;
    });
    const { default: FoundCard } = await import('../src/pages/found-card/index');
    const view = render(<FoundCard />);
    expect(view.container.querySelector('#found-card')!.textContent).toContain('拾到校园卡');
    type(view.container, 'cardNumber', '12ab');
    fireEvent.click(view.container.querySelector('#found-submit')!);
    await waitFor(() => expect(view.container.querySelector('.field__problem')?.textContent).toBe('卡号为 5 至 12 位数字'));
    expect(sent).toEqual([]);
    type(view.container, 'cardNumber', '2026000123');
    await act(async () => void fireEvent.click(view.container.querySelector('#found-submit')!));
    await waitFor(() => expect(view.container.querySelector('#found-done')).not.toBeNull());
    expect(sent).toEqual([{ cardNumber: '2026000123' }]);
    expect(view.container.querySelector('#found-done')!.textContent).toContain('谢谢，已通知失主');
    expect(view.container.querySelector('#found-done')!.textContent).toContain('请将卡片交到 卡务中心服务台');
  });

  it('a pause after too many reports is shown in the server’s words, and nothing is claimed', async () => {
    await signedIn();
    answerRequests(async (request) =>
      request.url.endsWith('/v1/holder/found-cards')
        ? { statusCode: 429, header: {}, data: { code: 'FOUND_CARD_REPORTS_LIMITED', message: { zh: '上报次数过多，请 60 分钟后再试', en: 'Too many found-card reports; try again in 60 minutes' }, params: { minutes: 60 } } }
        : NOT_FOUND,
    );
    const { default: FoundCard } = await import('../src/pages/found-card/index');
    const view = render(<FoundCard />);
    type(view.container, 'cardNumber', '2026000123');
    await act(async () => void fireEvent.click(view.container.querySelector('#found-submit')!));
    await waitFor(() => expect(view.container.textContent).toContain('上报次数过多，请 60 分钟后再试'));
    expect(view.container.querySelector('#found-done')).toBeNull();
  });
});

describe('the card page’s lost-and-found part', () => {
  it('lists each refused tap of the lost card and where a found card waits, without the finder’s identity', async () => {
    await signedIn();
    answerRequests(async (request) =>
      request.url.endsWith('/v1/holder/lost-card-taps')
        ? {
            statusCode: 200,
            header: {},
            data: {
              taps: [{ at: '2026-12-01T04:05:00.000Z', place: '一食堂 2F 窗口 3', via: 'pos', message: '您挂失的卡于 2026-12-01 12:05 在 一食堂 2F 窗口 3 被刷卡（已拒绝）' }],
              found: [{ reportedAt: '2026-12-01T05:00:00.000Z', collectAt: '图书馆一楼大厅', finder: '图书馆一楼大厅的自助机', status: 'open' }],
            },
          }
        : NOT_FOUND,
    );
    const { LostCardTaps } = await import('../src/pages/found-card/lost-taps');
    const view = render(<LostCardTaps lang="zh" lost />);
    await waitFor(() => expect(view.container.querySelector('#lost-tap-0')).not.toBeNull());
    expect(view.container.querySelector('#lost-tap-0')!.textContent).toBe('您挂失的卡于 2026-12-01 12:05 在 一食堂 2F 窗口 3 被刷卡（已拒绝）');
    const found = view.container.querySelector('#found-notice-0')!;
    expect(found.getAttribute('data-status')).toBe('open');
    expect(found.textContent).toContain('您的校园卡已被拾到');
    expect(found.textContent).toContain('请到 图书馆一楼大厅 领取（图书馆一楼大厅的自助机上报');
  });

  it('shows nothing for a card in use with nothing to tell', async () => {
    await signedIn();
    answerRequests(async (request) => (request.url.endsWith('/v1/holder/lost-card-taps') ? { statusCode: 200, header: {}, data: { taps: [], found: [] } } : NOT_FOUND));
    const { LostCardTaps } = await import('../src/pages/found-card/lost-taps');
    const view = render(<LostCardTaps lang="zh" lost={false} />);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(view.container.querySelector('#lost-taps')).toBeNull();
  });
});
