import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { auditCsv, campusToday } from '../src/screens/AuditLog';
import { fakeApi, LOG_ROLE, session } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

const ulid = (n: number) => `01KB${String(n).padStart(22, '0')}`;
const entry = (n: number, action: string, who: string, target: string, reason: string) => ({
  auditId: ulid(n),
  at: `2026-12-01T0${n}:00:00.000Z`,
  who,
  role: 'operator',
  action,
  target,
  reason,
  details: { amountFen: 100 * n },
});

describe('the action log', { timeout: 30_000 }, () => {
  it('loads every page of the day, filters by action and staff, exports what it shows as CSV for Excel', async () => {
    const api = fakeApi({
      'GET /v1/admin/audit': (request) =>
        request.query.cursor
          ? { status: 200, body: { day: request.query.day, entries: [entry(3, 'account.unfreeze', 'clerk.wang', '20230002', '对账无误, 解冻')] } }
          : { status: 200, body: { day: request.query.day, entries: [entry(1, 'balance.adjust', 'clerk.li', '20230001', '补录充值'), entry(2, 'account.view', 'clerk.li', '20230001', '查询')], nextCursor: `2026-12-01T02:00:00.000Z#${ulid(2)}` } },
    });
    renderConsole(api, { path: '/audit', session: session(LOG_ROLE) });
    await waitFor(() => expect(screen.getByTestId('audit-count').textContent).toBe('3 / 3'));
    const [first, second] = api.sent('GET /v1/admin/audit');
    expect(first!.query).toEqual({ day: campusToday(), limit: '500' });
    expect(second!.query.cursor).toBe(`2026-12-01T02:00:00.000Z#${ulid(2)}`);
    fireEvent.change(screen.getByTestId('audit-who'), { target: { value: 'wang' } });
    await waitFor(() => expect(screen.getByTestId('audit-count').textContent).toBe('1 / 3'));
    expect(document.body.textContent).toContain('对账无误, 解冻');
    expect(document.body.textContent).not.toContain('补录充值');

    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => (created.push(blob), 'blob:x'));
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    fireEvent.click(screen.getByTestId('audit-export'));
    expect(click).toHaveBeenCalled();
    // jsdom's Blob has no text(): read it as a browser would.
    const text = await new Promise<string>((done) => {
      const reader = new FileReader();
      reader.onload = () => done(reader.result as string);
      reader.readAsText(created[0]!);
    });
    expect(text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('at,who,role,action,target,reason,details');
    expect(text.split('\r\n')[1]).toBe('2026-12-01T03:00:00.000Z,clerk.wang,operator,account.unfreeze,20230002,"对账无误, 解冻",amountFen=300');
    click.mockRestore();
  });

  it('the CSV starts with a BOM and quotes what needs quoting', () => {
    const csv = auditCsv([entry(1, 'balance.adjust', 'clerk.li', '20230001', '他说"多充了"') as Parameters<typeof auditCsv>[0][number]]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('"他说""多充了"""');
  });

  it('the CSV keeps commas, quotes, line breaks and Chinese in one cell each, and disarms a formula', () => {
    type E = Parameters<typeof auditCsv>[0][number];
    const csv = auditCsv([
      entry(1, 'balance.adjust', 'clerk.li', '20230001', '张三, 李四 说"补录"\n第二行') as E,
      entry(2, 'account.unfreeze', 'clerk.wang', '20230002', '=HYPERLINK("http://x")') as E,
    ]);
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[1]).toBe('2026-12-01T01:00:00.000Z,clerk.li,operator,balance.adjust,20230001,"张三, 李四 说""补录""\n第二行",amountFen=100');
    expect(lines[2]).toBe(`2026-12-01T02:00:00.000Z,clerk.wang,operator,account.unfreeze,20230002,"'=HYPERLINK(""http://x"")",amountFen=200`);
    expect(lines[3]).toBe('');
    expect([...new TextEncoder().encode(csv).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('loads every day of a date range, filters by action and account, and refuses a range over a month', async () => {
    const api = fakeApi({
      'GET /v1/admin/audit': (request) => ({
        status: 200,
        body: {
          day: request.query.day,
          entries: request.query.day === '2026-11-29' ? [entry(1, 'balance.adjust', 'clerk.li', '20230001', '补录充值')] : [entry(2, 'account.unfreeze', 'clerk.li', '20230002', '对账无误')],
        },
      }),
    });
    renderConsole(api, { path: '/audit', session: session(LOG_ROLE) });
    await screen.findByTestId('audit-table');
    fireEvent.change(screen.getByTestId('audit-day-to'), { target: { value: '2026-11-30' } });
    fireEvent.change(screen.getByTestId('audit-day'), { target: { value: '2026-11-29' } });
    await waitFor(() => expect(screen.getByTestId('audit-count').textContent).toBe('2 / 2'));
    expect(api.requests.filter((r) => r.path === '/v1/admin/audit').slice(-2).map((r) => r.query.day)).toEqual(['2026-11-29', '2026-11-30']);
    fireEvent.change(screen.getByTestId('audit-target'), { target: { value: '20230002' } });
    await waitFor(() => expect(screen.getByTestId('audit-count').textContent).toBe('1 / 2'));
    expect(document.body.textContent).toContain('对账无误');
    expect(document.body.textContent).not.toContain('补录充值');
    const sentBefore = api.requests.length;
    fireEvent.change(screen.getByTestId('audit-day-to'), { target: { value: '2027-01-15' } });
    expect(await screen.findByTestId('audit-range-problem')).toBeTruthy();
    expect(api.requests.length).toBe(sentBefore);
  });

  it('a refused read says 无权限', async () => {
    renderConsole(fakeApi({ 'GET /v1/admin/audit': () => ({ refuse: 'FORBIDDEN' }) }), { path: '/audit', session: session(LOG_ROLE) });
    expect((await screen.findByTestId('audit-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
  });
});

const FINDING = {
  findingId: `F${'a'.repeat(26)}`,
  source: 'wechat_bill',
  kind: 'missing_from_bill',
  day: '2026-11-30',
  channel: 'wechat',
  ref: '4200000001',
  accountNo: '20230001',
  outsideFen: 0,
  oursFen: 5_000,
  detail: '我方已入账，账单无此笔',
  status: 'open',
  createdAt: '2026-12-01T01:00:00.000Z',
};

/** The findings table is the reconciliation queue's findings tab. */
async function openFindings(api: ReturnType<typeof fakeApi>) {
  renderConsole(api, { path: '/findings', session: session('operator') });
  fireEvent.click(await screen.findByTestId('queue-tab-finding'));
  await screen.findByTestId('findings-table');
}

describe('the findings table', { timeout: 30_000 }, () => {
  it('lists open findings and resolves one with its reason; it leaves the queue', async () => {
    const api = fakeApi({
      'GET /v1/admin/reconciliation-findings': () => ({ status: 200, body: { findings: [FINDING] } }),
      'POST /v1/admin/reconciliation-findings/{findingId}/resolution': (request) => ({
        status: 200,
        body: { ...FINDING, status: 'resolved', resolution: { ...(request.body as { resolution: string; reason: string }), by: 'clerk.li', at: '2026-12-01T02:00:00.000Z' } },
      }),
    });
    await openFindings(api);
    expect(await screen.findByText('我方已入账，账单无此笔')).toBeTruthy();
    fireEvent.click(screen.getByTestId(`finding-resolve-${FINDING.findingId}`));
    // No reason, no confirm; the dialog says what is being resolved.
    expect(((await screen.findByTestId('resolve-confirm')) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('resolve-summary').textContent).toContain('我方已入账，账单无此笔');
    fireEvent.change(screen.getByTestId('resolve-reason'), { target: { value: '平台次日补单，无需处理' } });
    fireEvent.click(screen.getByTestId('resolve-confirm'));
    await waitFor(() => expect(screen.queryByText('我方已入账，账单无此笔')).toBeNull());
    const [sent] = api.sent(`POST /v1/admin/reconciliation-findings/${FINDING.findingId}/resolution`);
    expect(sent!.body).toEqual({ resolution: 'no_action', reason: '平台次日补单，无需处理' });
  });

  it('an already resolved finding is refused in the server’s words', async () => {
    const api = fakeApi({
      'GET /v1/admin/reconciliation-findings': () => ({ status: 200, body: { findings: [FINDING] } }),
      'POST /v1/admin/reconciliation-findings/{findingId}/resolution': () => ({ refuse: 'FINDING_ALREADY_RESOLVED' }),
    });
    await openFindings(api);
    fireEvent.click(await screen.findByTestId(`finding-resolve-${FINDING.findingId}`));
    fireEvent.change(await screen.findByTestId('resolve-reason'), { target: { value: '重复处理' } });
    fireEvent.click(screen.getByTestId('resolve-confirm'));
    expect((await screen.findByTestId('resolve-error')).textContent).toBe(ERRORS.FINDING_ALREADY_RESOLVED.zh);
  });
});
