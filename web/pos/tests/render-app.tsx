/** Renders the whole app on an activated terminal with a fake API, an in-memory store and demo cards. */
import { render, screen, waitFor } from '@testing-library/react';
import { expect } from 'vitest';
import { connectTerminal, memoryStore, type TerminalStore } from '@shared/terminal-client';
import { App } from '../src/App';
import type { SimulatedCard } from '../src/cards/card-reader';
import { fakeApi, TERMINAL, type FakeApi } from './fake-api';

export const CPU_CARD: SimulatedCard = {
  chipUid: '04A1B2C3D4',
  kind: 'cpu',
  accountNo: '20230001',
  holderName: '张小明',
  chipBalanceFen: 10_000,
  counter: 7,
  password: '123456',
  bankCardNo: '6222020000000001',
  bankPin: '654321',
};

export async function renderApp(options: { api?: FakeApi; cards?: SimulatedCard[]; store?: TerminalStore; chips?: TerminalStore } = {}) {
  const api = options.api ?? fakeApi();
  const store = options.store ?? memoryStore();
  const chips = options.chips ?? memoryStore();
  await connectTerminal({ baseUrl: '', store, fetch: api.fetch }, TERMINAL);
  const cards = options.cards ?? [CPU_CARD];
  const loadCards = async () => cards;
  const view = render(<App store={store} fetch={api.fetch} cardReader={{ store: chips, loadCards }} terminal={{ offlinePingMs: 200 }} />);
  await screen.findByTestId('amount-display');
  await waitFor(() => expect(screen.getByTestId(`card-${cards[0]!.chipUid}`)).toBeTruthy());
  return { api, store, chips, view };
}

export function alarmOn(): boolean {
  return document.documentElement.dataset.alarm === 'on';
}

export function beeps(): number {
  return Number(document.documentElement.dataset.beeps ?? '0');
}
