import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ERRORS } from '@shared/errors';
import { memoryStore } from '@shared/terminal-client';
import { App } from '../src/App';
import { fakeApi, TERMINAL } from './fake-api';

afterEach(cleanup);

const GOOD = 'ABCD-EFGH-JKMN-PQRS';

function activationApi() {
  return fakeApi({
    'POST /v1/pos/activation': (request) =>
      request.body!.activationCode === GOOD && request.body!.terminalId === TERMINAL.terminalId ? { status: 200, body: TERMINAL } : { refuse: 'ACTIVATION_CODE_INVALID' },
  });
}

describe('activation', () => {
  it('refuses a bad code with the server’s message and keeps nothing', async () => {
    const api = activationApi();
    const store = memoryStore();
    render(<App store={store} fetch={api.fetch} cardReader={{ store: memoryStore(), loadCards: async () => [] }} />);
    fireEvent.change(await screen.findByTestId('terminal-id'), { target: { value: TERMINAL.terminalId } });
    fireEvent.change(screen.getByTestId('activation-code'), { target: { value: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ' } });
    fireEvent.click(screen.getByTestId('activate'));
    expect((await screen.findByTestId('activation-error')).textContent).toBe(ERRORS.ACTIVATION_CODE_INVALID.zh);
    expect(await store.get('identity')).toBeUndefined();
    expect(screen.queryByTestId('amount-display')).toBeNull();
  });

  it('a good code opens the mode of the terminal’s kind; the secret is kept in the store and never shown', async () => {
    const api = activationApi();
    const store = memoryStore();
    render(<App store={store} fetch={api.fetch} cardReader={{ store: memoryStore(), loadCards: async () => [] }} />);
    fireEvent.change(await screen.findByTestId('terminal-id'), { target: { value: ` ${TERMINAL.terminalId} ` } });
    fireEvent.change(screen.getByTestId('activation-code'), { target: { value: GOOD } });
    fireEvent.click(screen.getByTestId('activate'));
    await screen.findByTestId('amount-display');
    expect(api.sent('POST /v1/pos/activation')[0]!.body).toEqual({ terminalId: TERMINAL.terminalId, activationCode: GOOD });
    expect(await store.get('identity')).toMatchObject({ terminalId: TERMINAL.terminalId, secret: TERMINAL.secret });
    expect(screen.getByTestId('terminal-label').textContent).toBe(TERMINAL.terminalId);
    expect(document.body.textContent).toContain(TERMINAL.place);
    expect(document.body.innerHTML).not.toContain(TERMINAL.secret);
    // Signed requests follow (the bundle at start), and the secret never travels itself.
    await waitFor(() => expect(api.sent('GET /v1/pos/offline-bundle').length).toBeGreaterThan(0));
    expect(JSON.stringify(api.requests.slice(1))).not.toContain(TERMINAL.secret);
  });
});
