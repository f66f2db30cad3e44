import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { fakeApi, LOG_ROLE, session } from './fake-api';
import { renderConsole, storedSession } from './render-console';

afterEach(cleanup);

function signInApi(role: typeof LOG_ROLE | 'operator' = 'operator') {
  return fakeApi({
    'POST /v1/admin/sessions': (request) =>
      request.body!.username === 'clerk.li' && request.body!.password === 'right-password' ? { status: 201, body: session(role) } : { refuse: 'UNAUTHENTICATED' },
  });
}

async function signIn(password: string) {
  fireEvent.change(await screen.findByTestId('sign-in-username'), { target: { value: ' clerk.li ' } });
  fireEvent.change(screen.getByTestId('sign-in-password'), { target: { value: password } });
  fireEvent.click(screen.getByTestId('sign-in-submit'));
}

describe('sign-in', { timeout: 30_000 }, () => {
  it('a wrong password is refused in the server’s words and keeps no session', async () => {
    const api = signInApi();
    renderConsole(api, { path: '/accounts' });
    await signIn('wrong');
    expect((await screen.findByTestId('sign-in-error')).textContent).toBe(ERRORS.UNAUTHENTICATED.zh);
    expect(storedSession()).toBeUndefined();
    expect(screen.queryByTestId('header-user')).toBeNull();
  });

  it('signs in, shows the user and role and the menu of that role, switches language, signs out', async () => {
    const api = signInApi('operator');
    renderConsole(api, { path: '/accounts' });
    await signIn('right-password');
    expect((await screen.findByTestId('header-user')).textContent).toBe('clerk.li');
    expect(api.sent('POST /v1/admin/sessions')[0]!.body).toEqual({ username: 'clerk.li', password: 'right-password' });
    expect(screen.getByTestId('header-role').textContent).toBe('卡务操作员');
    expect(storedSession()).toMatchObject({ username: 'clerk.li', role: 'operator' });
    // An operator's menu: accounts and findings, not the action log.
    expect(screen.getByTestId('menu-accounts')).toBeTruthy();
    expect(screen.queryByTestId('menu-audit')).toBeNull();
    expect(await screen.findByTestId('account-search-input')).toBeTruthy(); // the screen it came for
    fireEvent.click(screen.getByText('EN'));
    await waitFor(() => expect(screen.getByTestId('sign-out').textContent).toBe('Sign out'));
    expect(screen.getByTestId('menu-accounts').textContent).toBe('Accounts');
    fireEvent.click(screen.getByTestId('sign-out'));
    expect(await screen.findByTestId('sign-in-username')).toBeTruthy();
    expect(storedSession()).toBeUndefined();
  });

  it('the role that reads the action log sees it in the menu', async () => {
    renderConsole(signInApi(LOG_ROLE), { path: '/' });
    await signIn('right-password');
    expect(await screen.findByTestId('menu-audit')).toBeTruthy();
  });
});
