/**
 * Issue 17 item 4's fixes on the payment path keep its behaviour: a device key's parsed object is
 * reused (judged by the key's bytes, never by the array that held them), and entry ids drawn from a
 * pool of random bytes are still valid, time-ordered ULIDs with their 80 random bits.
 */
import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { verifyEd25519, verifyQrSignature } from '../../functions/domain/qr-token-verify';
import { nextEntryId } from '../../functions/store/movements';
import { generateDeviceKeyPair, parseQrToken, signQrToken } from '../../shared/qr-token';

const payload = { version: 1, purpose: 'pay', keyId: 7, timeStep: 1_000, counter: 0 } as const;

describe('the device key cache', () => {
  it('verifies again with the key it parsed once, and judges a reused array by its new bytes', () => {
    const a = generateDeviceKeyPair();
    const b = generateDeviceKeyPair();
    const { payloadBytes, signature } = parseQrToken(signQrToken(payload, a.privateKey));
    const holder = new Uint8Array(a.publicKey);
    expect(verifyQrSignature(holder, payloadBytes, signature)).toBe(true);
    expect(verifyQrSignature(holder, payloadBytes, signature)).toBe(true);
    // The same array, now holding b's key: a's signature must not pass on a's cached object.
    holder.set(b.publicKey);
    expect(verifyQrSignature(holder, payloadBytes, signature)).toBe(false);
    const fromB = parseQrToken(signQrToken(payload, b.privateKey));
    expect(verifyQrSignature(holder, fromB.payloadBytes, fromB.signature)).toBe(true);
  });

  it('a key that is not a point on the curve verifies nothing, however often it is tried', () => {
    const bad = new Uint8Array(32).fill(0xff);
    for (let i = 0; i < 3; i++) expect(verifyEd25519(bad, new Uint8Array(10), new Uint8Array(64))).toBe(false);
  });
});

describe('entry ids from the random pool', () => {
  it('are valid ULIDs of the time, all different, their random characters spread over the whole alphabet', () => {
    const now = new Date('2026-12-01T04:00:00Z');
    const ids = Array.from({ length: 5_000 }, () => nextEntryId(now, undefined));
    expect(ids.every((id) => isValid(id) && decodeTime(id) === now.getTime())).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // 5,000 × 16 random characters: each of the 32 appears about 2,500 times; a stuck or short pool would not.
    const counts = new Map<string, number>();
    for (const id of ids) for (const c of id.slice(10)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    expect(Math.min(...counts.values())).toBeGreaterThan(2_000);
    expect(Math.max(...counts.values())).toBeLessThan(3_000);
  });
});
