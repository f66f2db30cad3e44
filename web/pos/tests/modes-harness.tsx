/**
 * Renders one terminal mode (gate, water, kiosk) on an activated terminal of that kind, over the
 * fake API of fake-api.ts, with the simulated card reader's demo cards. `contract` builds an answer
 * the way the API would: the request body parsed with the route's body schema and the answer with
 * its response schema, so a fixture (or the app) drifting from shared/api fails the test.
 */
import type { ReactElement } from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import { expect } from 'vitest';
import { ConfigProvider } from 'antd';
import type { z } from 'zod';
import type { RouteContract } from '@shared/api/contract';
import { connectTerminal, memoryStore, type TerminalClient, type TerminalStore } from '@shared/terminal-client';
import { THEME } from '../src/App';
import { CardReaderProvider, type SimulatedCard } from '../src/cards/card-reader';
import { TerminalProvider } from '../src/terminal-context';
import { fakeApi, TERMINAL, type FakeAnswer, type FakeApi, type FakeRequest } from './fake-api';

export async function renderMode(
  mode: ReactElement,
  options: { kind: 'gate' | 'water' | 'kiosk'; api?: FakeApi; cards?: SimulatedCard[]; chips?: TerminalStore },
): Promise<{ api: FakeApi; client: TerminalClient; store: TerminalStore; chips: TerminalStore }> {
  const api = options.api ?? fakeApi();
  const store = memoryStore();
  const chips = options.chips ?? memoryStore();
  // The terminal id stays the fake bundle's; only the kind differs.
  const client = await connectTerminal({ baseUrl: '', store, fetch: api.fetch, backoffMs: 1, timeoutMs: 1000 }, { ...TERMINAL, kind: options.kind });
  const cards = options.cards ?? [];
  const loadCards = async () => cards;
  render(
    <ConfigProvider theme={THEME}>
      <TerminalProvider client={client} offlinePingMs={200}>
        <CardReaderProvider store={chips} loadCards={loadCards}>
          {mode}
        </CardReaderProvider>
      </TerminalProvider>
    </ConfigProvider>,
  );
  if (cards[0]) await waitFor(() => expect(screen.getByTestId(`card-${cards[0]!.chipUid}`)).toBeTruthy());
  return { api, client, store, chips };
}

/** The API's answer to `request` on `route`: both sides checked against the route's contract. */
export function contract<R extends RouteContract>(route: R, request: FakeRequest, answer: z.input<R['response']>, status = 200): FakeAnswer {
  if (route.body) route.body.parse(request.body);
  return { status, body: route.response.parse(answer) };
}

/** What a USB scanner does: each character as a key, then Enter (nothing focused). */
export function scan(text: string): void {
  (document.activeElement as HTMLElement | null)?.blur();
  for (const key of text) window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
}
