/** Spending at a glance (issue 18): the month's categories as bars and the six months' trend, from the server's answer. */
import { act, cleanup, fireEvent, render, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerRequests, resetTaro } from './taro-shim';

beforeEach(() => resetTaro());
afterEach(() => cleanup());

const month = (m: string, lines: Record<string, [number, number]>) => {
  const byCategory = ['canteen', 'shop', 'water', 'utilities', 'other'].map((category) => ({ category, amountFen: lines[category]?.[0] ?? 0, count: lines[category]?.[1] ?? 0 }));
  return { month: m, totalFen: byCategory.reduce((sum, line) => sum + line.amountFen, 0), byCategory };
};
const SPENDING = {
  months: [
    month('2026-07', {}),
    month('2026-08', { canteen: [3_000, 4] }),
    month('2026-09', { canteen: [40_000, 60], shop: [8_000, 5] }),
    month('2026-10', { canteen: [42_000, 62], water: [3_500, 20] }),
    month('2026-11', { canteen: [36_000, 55], shop: [12_000, 8], water: [3_000, 18], utilities: [5_000, 1] }),
    month('2026-12', { canteen: [1_800, 2] }),
  ],
};

async function spendingPage(answer: () => { statusCode: number; data: unknown }) {
  const store = await import('../src/lib/store');
  store.signedIn({ session: 's', accountNo: '10002', mustChangePassword: false });
  const asked: string[] = [];
  answerRequests(async (request) => {
    asked.push(`${request.method} ${request.url.replace(/^https?:\/\/[^/]+/, '')}`);
    return { header: {}, ...answer() };
  });
  const { default: Spending } = await import('../src/pages/spending/index');
  return { view: render(<Spending />), asked };
}

const width = (element: Element | null) => (element?.querySelector('.bar-fill') as HTMLElement | null)?.style.width;

describe('the spending page', () => {
  it('asks for six months and shows this month by category, the largest line full width', async () => {
    const { view, asked } = await spendingPage(() => ({ statusCode: 200, data: SPENDING }));
    await waitFor(() => expect(view.container.querySelector('#spending-month')?.textContent).toContain('2026-12 消费 ¥18.00'));
    expect(asked).toEqual(['GET /v1/holder/spending?months=6']);
    expect(width(view.container.querySelector('#spending-canteen'))).toBe('100%');
    expect(width(view.container.querySelector('#spending-shop'))).toBe('0%');
    expect(view.container.querySelectorAll('.trend__col')).toHaveLength(6);
    expect(view.container.querySelector('.trend__col--on')?.id).toBe('trend-2026-12');
  });

  it('a tap on a month of the trend shows that month: each category its share of the largest', async () => {
    const { view } = await spendingPage(() => ({ statusCode: 200, data: SPENDING }));
    await waitFor(() => expect(view.container.querySelector('#trend-2026-11')).not.toBeNull());
    await act(async () => void fireEvent.click(view.container.querySelector('#trend-2026-11')!));
    expect(view.container.querySelector('#spending-month')?.textContent).toContain('2026-11 消费 ¥560.00');
    expect(view.container.querySelector('#spending-canteen')?.textContent).toContain('食堂¥360.00 55 笔');
    expect(width(view.container.querySelector('#spending-canteen'))).toBe('100%');
    expect(width(view.container.querySelector('#spending-shop'))).toBe('33%');
    expect(width(view.container.querySelector('#spending-utilities'))).toBe('14%');
    // The trend's bars are a share of the largest month (November): October's ¥455.00 is 81% of ¥560.00.
    expect((view.container.querySelector('#trend-2026-11 .trend__bar') as HTMLElement).style.height).toBe('100%');
    expect((view.container.querySelector('#trend-2026-10 .trend__bar') as HTMLElement).style.height).toBe('81%');
    expect((view.container.querySelector('#trend-2026-07 .trend__bar') as HTMLElement).style.height).toBe('0%');
  });

  it('a month with nothing spent says so; a failure says why in words and retries', async () => {
    let fail = true;
    const { view } = await spendingPage(() => (fail ? { statusCode: 503, data: { code: 'SERVICE_UNAVAILABLE', message: { zh: '服务暂不可用', en: 'Unavailable' } } } : { statusCode: 200, data: { months: [month('2026-12', {})] } }));
    await waitFor(() => expect(view.container.querySelector('[role="alert"]')?.textContent).toContain('服务暂不可用'));
    fail = false;
    await act(async () => void fireEvent.click(within(view.container.querySelector('[role="alert"]') as HTMLElement).getByText('重试')));
    await waitFor(() => expect(view.container.textContent).toContain('这个月还没有消费'));
  });
});
