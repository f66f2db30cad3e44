/** The console's 拾卡登记 screen (issue 18 lost and found): found cards by state, marking one collected with a reason, by role. */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { adminFoundCardView, collectFoundCardRoute } from '@shared/api/lost-found';
import { ERRORS } from '@shared/errors';
import { fakeApi, receipt, session, type FakeRequest } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

const OPEN = adminFoundCardView.parse({
  foundId: receipt(1),
  accountNo: '20230001',
  holderDisplayName: '张*明',
  cardId: 'C0D20230001',
  via: 'kiosk',
  terminalId: 'KIOSK-LIB-01',
  collectAt: '图书馆一楼大厅',
  reportedAt: '2026-12-01T02:00:00.000Z',
  accountStatusThen: 'lost',
  status: 'open',
});
const COLLECTED = adminFoundCardView.parse({
  ...OPEN,
  foundId: receipt(2),
  via: 'app',
  terminalId: undefined,
  reporterAccountNo: '20230099',
  collectAt: '卡务中心服务台',
  status: 'collected',
  collectedAt: '2026-12-01T05:00:00.000Z',
  collectedBy: 'op.wang',
  collectReason: '本人持学生证领取',
});

function foundApi(extra: Parameters<typeof fakeApi>[0] = {}) {
  let open: Record<string, unknown>[] = [OPEN];
  let collected: Record<string, unknown>[] = [COLLECTED];
  return fakeApi({
    'GET /v1/admin/found-cards': (request) => ({ status: 200, body: { foundCards: request.query.state === 'collected' ? collected : open } }),
    'POST /v1/admin/found-cards/{foundId}/collection': (request: FakeRequest) => {
      collectFoundCardRoute.body!.parse(request.body);
      const item: Record<string, unknown> = { ...open.find((f) => f.foundId === request.path.split('/')[4])!, status: 'collected', collectedAt: '2026-12-01T06:00:00.000Z', collectedBy: 'clerk.li', collectReason: (request.body as { reason: string }).reason };
      open = open.filter((f) => f.foundId !== item.foundId);
      collected = [item, ...collected];
      return { status: 200, body: collectFoundCardRoute.response.parse({ foundCard: item, replayed: false }) };
    },
    ...extra,
  });
}

describe('found cards (拾卡登记)', { timeout: 30_000 }, () => {
  it('is in the menu of every reader; only the counter may mark a card collected', async () => {
    renderConsole(foundApi(), { path: '/found-cards', session: session('operator') });
    expect((await screen.findByTestId('menu-found-cards')).textContent).toBe('拾卡登记');
    expect(((await screen.findByTestId(`found-collect-${OPEN.foundId}`)) as HTMLButtonElement).disabled).toBe(false);
    cleanup();
    renderConsole(foundApi(), { path: '/found-cards', session: session('auditor') });
    expect(((await screen.findByTestId(`found-collect-${OPEN.foundId}`)) as HTMLButtonElement).disabled).toBe(true);
  });

  it('lists waiting cards with the owner, who reported it and where to collect it; collected ones with who handed them back', async () => {
    const api = foundApi();
    renderConsole(api, { path: '/found-cards', session: session('operator') });
    const row = await screen.findByTestId(`found-row-${OPEN.foundId}`);
    for (const text of ['20230001', '张*明', '自助机', 'KIOSK-LIB-01', '图书馆一楼大厅', '待领取', '挂失']) expect(row.textContent).toContain(text);
    expect(api.sent('GET /v1/admin/found-cards')[0]!.query).toMatchObject({ state: 'open' });
    fireEvent.click(screen.getByTestId('found-tab-collected'));
    const done = await screen.findByTestId(`found-row-${COLLECTED.foundId}`);
    expect(within(done).getByTestId(`found-status-${COLLECTED.foundId}`).dataset.status).toBe('collected');
    for (const text of ['小程序', '20230099', '本人持学生证领取', 'op.wang']) expect(done.textContent).toContain(text);
    expect(within(done).queryByTestId(`found-collect-${COLLECTED.foundId}`)).toBeNull();
  });

  it('marks one collected with a reason; the list is read again', async () => {
    const api = foundApi();
    renderConsole(api, { path: '/found-cards', session: session('operator') });
    fireEvent.click(await screen.findByTestId(`found-collect-${OPEN.foundId}`));
    expect((await screen.findByTestId('reason-summary')).textContent).toContain('操作日志');
    expect((screen.getByTestId('reason-confirm') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '本人持证领取' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    await waitFor(() => expect(screen.queryByTestId(`found-row-${OPEN.foundId}`)).toBeNull());
    expect(api.sent(`POST /v1/admin/found-cards/${OPEN.foundId}/collection`)[0]!.body).toEqual({ reason: '本人持证领取' });
    expect(api.sent('GET /v1/admin/found-cards')).toHaveLength(2);
  });

  it('a refusal (collected meanwhile) stays in the dialog in its words', async () => {
    const api = foundApi({ 'POST /v1/admin/found-cards/{foundId}/collection': () => ({ refuse: 'FOUND_CARD_ALREADY_COLLECTED' }) });
    renderConsole(api, { path: '/found-cards', session: session('operator') });
    fireEvent.click(await screen.findByTestId(`found-collect-${OPEN.foundId}`));
    fireEvent.change(await screen.findByTestId('reason-input'), { target: { value: '本人持证领取' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    expect((await screen.findByTestId('reason-error')).textContent).toBe(ERRORS.FOUND_CARD_ALREADY_COLLECTED.zh);
  });
});
