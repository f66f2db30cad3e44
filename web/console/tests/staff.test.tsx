import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { passwordRules } from '../src/screens/Staff';
import { fakeApi, session } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

function staffApi() {
  const staff: { username: string; role: string; status: string; createdAt: string }[] = [
    { username: 'adm.zhou', role: 'administrator', status: 'active', createdAt: '2026-09-01T00:00:00.000Z' },
    { username: 'clerk.li', role: 'operator', status: 'active', createdAt: '2026-09-01T00:00:00.000Z' },
  ];
  return fakeApi({
    'GET /v1/admin/staff': () => ({ status: 200, body: { staff } }),
    'POST /v1/admin/staff': (request) => {
      const body = request.body as { username: string; role: string; password: string };
      if (staff.some((s) => s.username === body.username)) return { refuse: 'STAFF_EXISTS' };
      const member = { username: body.username, role: body.role, status: 'active', createdAt: '2026-12-01T02:00:00.000Z' };
      staff.push(member);
      return { status: 201, body: member };
    },
    'POST /v1/admin/staff/{username}/disable': (request) => {
      const member = staff.find((s) => request.path.endsWith(`/${s.username}/disable`))!;
      member.status = 'disabled';
      return { status: 200, body: member };
    },
  });
}

describe('staff', { timeout: 30_000 }, () => {
  it('an administrator creates a staff member with a role and a first password, the rule checked as it is typed', async () => {
    const api = staffApi();
    renderConsole(api, { path: '/staff', session: session('administrator', 'adm.zhou') });
    await screen.findByTestId('staff-row-clerk.li');
    fireEvent.click(screen.getByTestId('staff-create'));
    fireEvent.change(await screen.findByTestId('staff-field-username'), { target: { value: 'fin.wu' } });
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '新入职财务' } });
    const confirm = screen.getByTestId('reason-confirm') as HTMLButtonElement;
    fireEvent.change(screen.getByTestId('staff-field-password'), { target: { value: 'fin.wu-2026' } });
    expect(screen.getByTestId('staff-rule-username').getAttribute('data-ok')).toBe('false');
    expect(screen.getByTestId('staff-rule-length').getAttribute('data-ok')).toBe('true');
    expect(confirm.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('staff-field-password'), { target: { value: '结算中心 spring 2026' } });
    await waitFor(() => expect(confirm.disabled).toBe(false));
    fireEvent.click(confirm);
    expect(await screen.findByTestId('staff-row-fin.wu')).toBeTruthy();
    expect(api.sent('POST /v1/admin/staff')[0]!.body).toEqual({ username: 'fin.wu', role: 'operator', password: '结算中心 spring 2026', reason: '新入职财务' });
  });

  it('a username taken is refused in the server’s words', async () => {
    renderConsole(staffApi(), { path: '/staff', session: session('administrator', 'adm.zhou') });
    fireEvent.click(await screen.findByTestId('staff-create'));
    fireEvent.change(await screen.findByTestId('staff-field-username'), { target: { value: 'clerk.li' } });
    fireEvent.change(screen.getByTestId('staff-field-password'), { target: { value: 'counter window 7' } });
    fireEvent.change(screen.getByTestId('reason-input'), { target: { value: '再建一次' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    expect((await screen.findByTestId('reason-error')).textContent).toBe(ERRORS.STAFF_EXISTS.zh);
  });

  it('disables a staff member with a reason, never oneself; the auditor reads the list but may not act', async () => {
    const api = staffApi();
    renderConsole(api, { path: '/staff', session: session('administrator', 'adm.zhou') });
    expect(((await screen.findByTestId('staff-disable-adm.zhou')) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('staff-disable-clerk.li'));
    fireEvent.change(await screen.findByTestId('reason-input'), { target: { value: '离职' } });
    fireEvent.click(screen.getByTestId('reason-confirm'));
    await waitFor(() => expect(within(screen.getByTestId('staff-row-clerk.li')).getByText('已停用')).toBeTruthy());
    expect(api.sent('POST /v1/admin/staff/clerk.li/disable')[0]!.body).toEqual({ reason: '离职' });
    cleanup();
    renderConsole(staffApi(), { path: '/staff', session: session('auditor', 'aud.sun') });
    expect(((await screen.findByTestId('staff-disable-clerk.li')) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('staff-create') as HTMLButtonElement).disabled).toBe(true);
  });

  it('a refused list says 无权限; the counter has no staff menu', async () => {
    renderConsole(fakeApi({ 'GET /v1/admin/staff': () => ({ refuse: 'FORBIDDEN' }) }), { path: '/staff', session: session('auditor') });
    expect((await screen.findByTestId('staff-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
    expect(screen.getByTestId('menu-staff')).toBeTruthy();
    cleanup();
    renderConsole(fakeApi(), { path: '/accounts', session: session('operator') });
    await screen.findByTestId('menu-accounts');
    expect(screen.queryByTestId('menu-staff')).toBeNull();
    expect(screen.queryByTestId('menu-policy')).toBeTruthy();
  });

  it('the password rule is the API’s: length, four different characters, not the username, no edge spaces', () => {
    const failing = (password: string, username = 'clerk.li') => passwordRules(password, username).filter((r) => !r.ok).map((r) => r.rule);
    expect(failing('short')).toEqual(['length']);
    expect(failing('aaaaaaaaaaaa')).toEqual(['different']);
    expect(failing('my CLERK.LI pass')).toEqual(['username']);
    expect(failing(' leading space 1')).toEqual(['spaces']);
    expect(failing('卡务中心柜台二号窗口')).toEqual([]);
  });
});
