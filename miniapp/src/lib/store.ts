/**
 * The app's state: session, last account view, device key, server clock and the last code drawn.
 * Kept in the platform's storage so the campus code and balances show at once, even with no network.
 */
import { useSyncExternalStore } from 'react';
import type { QrPurpose } from '@shared/qr-token';
import { createApiClient, type HolderAccount, type SignedIn } from './api';
import { codeMovedAway, drawCode, newDeviceKey, nextCursor, serverStep, syncClock, type CodeCursor, type CodeMoved, type DeviceKey, type ServerClock } from './campus-code';
import type { Lang } from './i18n';
import { randomSeed, storage, taroTransport } from './platform';

export interface Session {
  token: string;
  accountNo: string;
  mustChangePassword: boolean;
  payerId?: string;
}

export interface AppState {
  lang: Lang;
  session?: Session;
  account?: HolderAccount;
  /** Phone time the account view was fetched. */
  accountAtMs?: number;
  deviceKey?: DeviceKey;
  clock?: ServerClock;
  cursor?: CodeCursor;
  /** Another phone was bound since this one's key was registered: no codes here (they would be refused). */
  codeMoved?: CodeMoved;
  /** The last request reached the server. */
  online: boolean;
}

const KEY = 'ecard.state.v1';
let state: AppState = { lang: 'zh', online: true, ...withoutStaleAccount(storage.get<Partial<AppState>>(KEY) ?? {}) };
const listeners = new Set<() => void>();

/** An account view saved by an older app has no policy numbers: dropped, so the next refresh brings them. */
function withoutStaleAccount(saved: Partial<AppState>): Partial<AppState> {
  if (!saved.account || saved.account.policy) return saved;
  const { account: _stale, accountAtMs: _at, ...rest } = saved;
  return rest;
}

function update(patch: Partial<AppState>): void {
  state = { ...state, ...patch };
  const { online: _online, ...persisted } = state;
  storage.set(KEY, persisted);
  for (const listener of listeners) listener();
}

export function getState(): AppState {
  return state;
}

export function useAppState(): AppState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
    () => state,
  );
}

export const api = createApiClient({
  baseUrl: ECARD_API_BASE,
  transport: async (request) => {
    try {
      const response = await taroTransport(request);
      if (!state.online) update({ online: true });
      return response;
    } catch (error) {
      if (state.online) update({ online: false });
      throw error;
    }
  },
  session: () => state.session?.token,
  onServerTime: (serverTimeMs, sentAtMs, receivedAtMs) => update({ clock: syncClock(serverTimeMs, sentAtMs, receivedAtMs) }),
  onSignedOut: () => update({ session: undefined }),
});

export function setLang(lang: Lang): void {
  update({ lang });
}

/** `bound`: the holder bound the card on this phone just now, so the code moves here (a new key) even if this phone had one. */
export function signedIn(result: SignedIn & { payerId?: string }, options: { bound?: boolean } = {}): void {
  const sameAccount = state.deviceKey?.accountNo === result.accountNo && !options.bound;
  update({
    session: { token: result.session, accountNo: result.accountNo, mustChangePassword: result.mustChangePassword, ...(result.payerId ? { payerId: result.payerId } : {}) },
    // Another holder on this phone: nothing of the previous one stays.
    ...(sameAccount ? {} : { account: undefined, accountAtMs: undefined, deviceKey: undefined, cursor: undefined, codeMoved: undefined }),
  });
}

export function signOut(): void {
  update({ session: undefined });
}

export function passwordChanged(): void {
  if (state.session) update({ session: { ...state.session, mustChangePassword: false } });
}

export async function refreshAccount(): Promise<HolderAccount> {
  const askedAt = Date.now();
  const account = await api.account();
  const moved = codeMovedAway(state.deviceKey, account, askedAt);
  update({ account, accountAtMs: Date.now(), ...(moved === undefined ? {} : { codeMoved: moved ?? undefined }) });
  return account;
}

/**
 * Makes and registers this phone's signing key once per account (registering revokes the last phone's).
 * Not after the code moved to another phone: taking it back is the holder's choice (moveCodeHere), or
 * two phones of one holder would take it from each other at every poll.
 */
export async function ensureDeviceKey(): Promise<DeviceKey> {
  const accountNo = state.session?.accountNo;
  if (!accountNo) throw new Error('not signed in');
  if (state.deviceKey?.accountNo === accountNo) return state.deviceKey;
  return registerNewKey(accountNo);
}

/**
 * One registration at a time: two at once (the page's first load and its show both ask) would each
 * revoke the other's key, and the phone could keep the one that lost.
 */
let registering: { accountNo: string; done: Promise<DeviceKey> } | undefined;

/** The holder takes the code back to this phone (the other phone's key is revoked). */
export async function moveCodeHere(): Promise<DeviceKey> {
  const accountNo = state.session?.accountNo;
  if (!accountNo) throw new Error('not signed in');
  return registerNewKey(accountNo);
}

function registerNewKey(accountNo: string): Promise<DeviceKey> {
  if (registering?.accountNo === accountNo) return registering.done;
  const done = makeAndRegister(accountNo).finally(() => {
    if (registering?.done === done) registering = undefined;
  });
  registering = { accountNo, done };
  return done;
}

async function makeAndRegister(accountNo: string): Promise<DeviceKey> {
  // The seed is asked of the server only on a phone with no secure random source (Alipay).
  const made = newDeviceKey(accountNo, await randomSeed(async () => (await api.deviceKeySeed()).seed));
  const sentAt = Date.now();
  const registered = await api.registerDeviceKey(made.publicKey, made.proof);
  const receivedAt = Date.now();
  const deviceKey: DeviceKey = { accountNo, keyId: registered.keyId, privateKey: made.privateKey, registeredAtMs: receivedAt };
  update({ deviceKey, codeMoved: undefined, clock: syncClock(registered.serverTimeMs, sentAt, receivedAt) });
  return deviceKey;
}

/** The code to show now: the same one within a step, a fresh one when asked (refresh, after a use, a switch). */
export function currentCode(purpose: QrPurpose, fresh: boolean, nowMs = Date.now()): { token: string; cursor: CodeCursor } | undefined {
  if (!state.deviceKey || !state.clock || state.codeMoved) return undefined;
  const cursor = nextCursor(state.cursor, serverStep(state.clock, nowMs), fresh);
  if (!cursor) return undefined;
  if (cursor !== state.cursor) update({ cursor });
  return { token: drawCode(state.deviceKey, purpose, cursor), cursor };
}

export function accountPatch(patch: Partial<HolderAccount>): void {
  if (state.account) update({ account: { ...state.account, ...patch } });
}
