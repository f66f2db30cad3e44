/** Renders the console at a path, signed in (a session in sessionStorage) or not, over a fake API. */
import './jsdom-extra';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { App } from '../src/App';
import type { FakeApi } from './fake-api';

const SESSION_KEY = 'ecard.console.session';

export function renderConsole(api: FakeApi, options: { path?: string; session?: object } = {}) {
  sessionStorage.clear();
  localStorage.clear();
  if (options.session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(options.session));
  return render(
    <MemoryRouter initialEntries={[options.path ?? '/']}>
      <App client={{ fetch: api.fetch, storage: sessionStorage }} lang="zh" />
    </MemoryRouter>,
  );
}

export function storedSession(): unknown {
  const text = sessionStorage.getItem(SESSION_KEY);
  return text ? JSON.parse(text) : undefined;
}
