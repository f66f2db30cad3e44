/**
 * The rotating campus code on the phone (docs/qr-token.md, "How the mini-program draws codes"):
 * pure functions over the stored device key, the server-clock estimate and the last code drawn, so
 * the page only renders and the tests need no phone.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { clockOffsetMs, deviceKeyProofMessage, generateDeviceKeyPair, signQrToken, timeStepAt, QR_TOKEN_STEP_SECONDS, type QrPurpose } from '@shared/qr-token';
import { base64urlnopad } from '@scure/base';

/** How long after the last contact with the server the phone keeps drawing codes (POS offline lists last as long). */
export const OFFLINE_CODE_MS = 24 * 60 * 60 * 1000;

export interface DeviceKey {
  accountNo: string;
  keyId: number;
  /** The Ed25519 seed, base64url; it never leaves the phone. */
  privateKey: string;
  /** Phone time the registration was answered (absent for keys saved by an older app). */
  registeredAtMs?: number;
}

/** This phone's key is no longer the account's: another phone was bound (at `at`, when the server knows). */
export interface CodeMoved {
  keyId: number;
  at?: string;
}

/**
 * Whether the account view says the code moved to another phone: its active key is not this phone's.
 * An answer to a request sent before this phone's own registration was answered may still name the
 * previous key, so it says nothing either way (undefined: keep what is known).
 */
export function codeMovedAway(
  key: DeviceKey | undefined,
  account: { accountNo: string; activeDeviceKey?: { keyId: number; registeredAt?: string } },
  askedAtMs: number,
): CodeMoved | null | undefined {
  if (!key || key.accountNo !== account.accountNo || !account.activeDeviceKey) return undefined;
  if (key.registeredAtMs !== undefined && askedAtMs < key.registeredAtMs) return undefined;
  if (account.activeDeviceKey.keyId === key.keyId) return null;
  return { keyId: account.activeDeviceKey.keyId, ...(account.activeDeviceKey.registeredAt ? { at: account.activeDeviceKey.registeredAt } : {}) };
}

/** The phone's estimate of the server clock: offset to add to Date.now(), and when it was last set. */
export interface ServerClock {
  offsetMs: number;
  /** Phone time of the last answer from the server. */
  syncedAtMs: number;
}

/** The last code drawn: its step and counter. Counters are per step and shared by both purposes. */
export interface CodeCursor {
  step: number;
  counter: number;
}

/** A new key and its proof for POST /v1/holder/device-keys. */
export function newDeviceKey(accountNo: string, randomSeed?: Uint8Array): { privateKey: string; publicKey: string; proof: string } {
  const pair = generateDeviceKeyPair(randomSeed);
  const publicKey = base64urlnopad.encode(pair.publicKey);
  const proof = base64urlnopad.encode(ed25519.sign(deviceKeyProofMessage(accountNo, publicKey), pair.privateKey));
  return { privateKey: base64urlnopad.encode(pair.privateKey), publicKey, proof };
}

/** The clock after an answer from the server. */
export function syncClock(serverTimeMs: number, sentAtMs: number, receivedAtMs: number): ServerClock {
  return { offsetMs: Math.round(clockOffsetMs(serverTimeMs, sentAtMs, receivedAtMs)), syncedAtMs: receivedAtMs };
}

export type CodeAvailability = { kind: 'online' } | { kind: 'offline'; sinceMs: number } | { kind: 'stale'; sinceMs: number };

/** Online if the server answered within a minute; offline codes for OFFLINE_CODE_MS after; then none. */
export function availability(clock: ServerClock | undefined, nowMs: number, online: boolean): CodeAvailability {
  if (!clock) return { kind: 'stale', sinceMs: 0 };
  const since = nowMs - clock.syncedAtMs;
  if (online && since < 60_000) return { kind: 'online' };
  return since <= OFFLINE_CODE_MS ? { kind: 'offline', sinceMs: since } : { kind: 'stale', sinceMs: since };
}

export function serverStep(clock: ServerClock, nowMs: number): number {
  return timeStepAt(nowMs + clock.offsetMs);
}

/** Whole seconds until the server clock enters the next step (1..30). */
export function secondsToNextStep(clock: ServerClock, nowMs: number): number {
  const stepMs = QR_TOKEN_STEP_SECONDS * 1000;
  const serverMs = nowMs + clock.offsetMs;
  return Math.ceil((stepMs - (((serverMs % stepMs) + stepMs) % stepMs)) / 1000);
}

/**
 * The cursor for the next code: counter 0 in a new step; within the step the last counter + 1 when a
 * fresh code is needed (refresh, after a use, a purpose switch); undefined once 255 is used.
 * A cursor from the future (the clock estimate moved back) is never reused: stay past it.
 */
export function nextCursor(last: CodeCursor | undefined, step: number, fresh: boolean): CodeCursor | undefined {
  if (!last || step > last.step) return { step, counter: 0 };
  if (step < last.step) return last.counter >= 255 ? undefined : { step: last.step, counter: last.counter + 1 };
  if (!fresh) return last;
  return last.counter >= 255 ? undefined : { step, counter: last.counter + 1 };
}

export function drawCode(key: DeviceKey, purpose: QrPurpose, cursor: CodeCursor): string {
  return signQrToken({ version: 1, purpose, keyId: key.keyId, timeStep: cursor.step, counter: cursor.counter }, base64urlnopad.decode(key.privateKey));
}
