/**
 * The 32 random bytes the device key is made from. Web Crypto where there is one, else
 * `wx.getRandomValues`; where neither exists (the Alipay mini-program documents no secure source) a
 * one-time seed from the server, sent over TLS, hashed with the entropy the phone does have, so that
 * neither the server nor the phone's weak sources alone give the key (docs/qr-token.md, "A phone
 * without a secure random source"). Pure over the globals it is given: tests run it with neither.
 */
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { base64urlnopad } from '@scure/base';

export type RandomSource = 'crypto' | 'wx' | 'server-seed';

type WxRandom = (o: { length: number; success: (r: { randomValues: ArrayBuffer }) => void; fail: (e: unknown) => void }) => void;
/** What the mini-program globals may offer: only ever read, each behind a check. */
interface PhoneGlobals {
  crypto?: { getRandomValues?: unknown };
  wx?: { getRandomValues?: WxRandom };
  my?: Record<string, unknown>;
  performance?: { now?: () => number };
}

const globals = (): PhoneGlobals => globalThis as unknown as PhoneGlobals;

export function randomSourceOf(g: PhoneGlobals = globals()): RandomSource {
  if (typeof g.crypto?.getRandomValues === 'function') return 'crypto';
  if (typeof g.wx?.getRandomValues === 'function') return 'wx';
  return 'server-seed';
}

/** UTF-8 by hand: the Alipay engine need not have TextEncoder. */
function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

function float64s(values: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => view.setFloat64(i * 8, v));
  return new Uint8Array(view.buffer);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A running hash of what happened on the phone before the key was needed (touches, page shows): stirred, never kept in clear. */
let pool: Uint8Array = new Uint8Array(32);

/** Stirs an event's timing and coordinates into the pool (the code screen calls it on touches). */
export function noteEntropy(...values: number[]): void {
  const now = globals().performance?.now?.() ?? 0;
  pool = sha256(concat([pool, float64s([Date.now(), now, ...values.filter((v) => Number.isFinite(v))])]));
}

const myInfoCalls = ['getSystemInfoSync', 'getBatteryInfoSync', 'getStorageInfoSync', 'getScreenBrightness', 'getAppIdSync', 'getAccountInfoSync'];

/**
 * Everything the phone can draw without a secure source: Math.random, clocks and the timing jitter of
 * hashing in a loop, the system information Alipay's `my` gives, and the touch pool. Weak alone (a
 * guessable share of it is public), which is why it is mixed with the server's seed, not used alone.
 */
export function collectPhoneEntropy(g: PhoneGlobals = globals()): Uint8Array {
  const parts: Uint8Array[] = [pool];
  parts.push(float64s(Array.from({ length: 64 }, () => Math.random())));
  const timings: number[] = [Date.now()];
  let spin: Uint8Array = pool;
  for (let i = 0; i < 64; i++) {
    const before = g.performance?.now?.() ?? Date.now();
    for (let j = 0; j <= i % 8; j++) spin = sha256(spin);
    timings.push((g.performance?.now?.() ?? Date.now()) - before);
  }
  parts.push(spin, float64s(timings));
  for (const call of myInfoCalls) {
    const fn = g.my?.[call];
    if (typeof fn !== 'function') continue;
    try {
      parts.push(utf8(JSON.stringify(fn.call(g.my) ?? null)));
    } catch {
      // An API this Alipay version lacks or refuses: the rest still counts.
    }
  }
  return concat(parts);
}

const MIX_SALT = utf8('campus-ecard/device-key-seed/v1');

/** HKDF-SHA-256 over the server's seed ‖ a hash of the phone's entropy: 32 bytes, the Ed25519 seed. */
export function mixSeed(serverSeed: Uint8Array, phoneEntropy: Uint8Array): Uint8Array {
  if (serverSeed.length !== 32) throw new Error('the server seed must be 32 bytes');
  return hkdf(sha256, concat([serverSeed, sha256(phoneEntropy)]), MIX_SALT, utf8('ed25519 device key'), 32);
}

/**
 * The seed for generateDeviceKeyPair: undefined where Web Crypto exists (@noble draws its own);
 * wx.getRandomValues' 32 bytes in WeChat; else the server's seed (asked for only now, with
 * `serverSeed`, POST /v1/holder/device-keys/seed) mixed with the phone's entropy.
 */
export async function deviceKeySeed(serverSeed: () => Promise<string>, g: PhoneGlobals = globals()): Promise<Uint8Array | undefined> {
  const source = randomSourceOf(g);
  if (source === 'crypto') return undefined;
  if (source === 'wx') {
    const wx = g.wx!;
    return new Promise((resolve, reject) => wx.getRandomValues!({ length: 32, success: (r) => resolve(new Uint8Array(r.randomValues)), fail: reject }));
  }
  const seed = base64urlnopad.decode(await serverSeed());
  return mixSeed(seed, collectPhoneEntropy(g));
}
