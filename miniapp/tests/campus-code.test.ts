import { ed25519 } from '@noble/curves/ed25519';
import { base64urlnopad } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { checkQrWindow, verifyQrSignature } from '../../functions/domain/qr-token-verify';
import { deviceKeyProofMessage, parseQrToken, timeStepAt } from '../../shared/qr-token';
import { availability, codeMovedAway, drawCode, newDeviceKey, nextCursor, OFFLINE_CODE_MS, secondsToNextStep, serverStep, syncClock } from '../src/lib/campus-code';

describe('the phone’s device key', () => {
  it('registers with a proof the server accepts, and draws codes the server verifies', () => {
    const made = newDeviceKey('10002');
    const publicKey = base64urlnopad.decode(made.publicKey);
    expect(ed25519.verify(base64urlnopad.decode(made.proof), deviceKeyProofMessage('10002', made.publicKey), publicKey)).toBe(true);
    const token = drawCode({ accountNo: '10002', keyId: 77, privateKey: made.privateKey }, 'pay', { step: timeStepAt(Date.now()), counter: 3 });
    const parsed = parseQrToken(token);
    expect(parsed.payload).toMatchObject({ purpose: 'pay', keyId: 77, counter: 3 });
    expect(verifyQrSignature(publicKey, parsed.payloadBytes, parsed.signature)).toBe(true);
    expect(checkQrWindow(parsed.payload.timeStep, new Date())).toBe('ok');
  });

  it('uses the platform’s random bytes where it must (same seed, same key)', () => {
    const seed = new Uint8Array(32).fill(7);
    expect(newDeviceKey('10002', seed).publicKey).toBe(newDeviceKey('10002', seed).publicKey);
    expect(newDeviceKey('10002').publicKey).not.toBe(newDeviceKey('10002').publicKey);
  });
});

describe('the server clock on a phone whose clock is wrong', () => {
  it('draws codes in the server’s window when the phone is 7 minutes fast', () => {
    const serverNow = Date.parse('2026-11-23T04:00:10Z');
    const phoneNow = serverNow + 7 * 60_000;
    const clock = syncClock(serverNow + 150, phoneNow, phoneNow + 300); // the server answered mid-way
    expect(Math.abs(clock.offsetMs + 7 * 60_000)).toBeLessThan(5);
    expect(serverStep(clock, phoneNow + 300)).toBe(timeStepAt(serverNow + 300));
    expect(checkQrWindow(serverStep(clock, phoneNow + 300), new Date(serverNow + 300))).toBe('ok');
    // Without the offset the code would be refused as from the future.
    expect(checkQrWindow(timeStepAt(phoneNow), new Date(serverNow))).toBe('future');
  });

  it('counts down to the next step on the server’s clock', () => {
    const clock = { offsetMs: -2_500, syncedAtMs: 0 };
    expect(secondsToNextStep(clock, Date.parse('2026-11-23T04:00:02.500Z'))).toBe(30);
    expect(secondsToNextStep(clock, Date.parse('2026-11-23T04:00:03Z'))).toBe(30);
    expect(secondsToNextStep(clock, Date.parse('2026-11-23T04:00:04Z'))).toBe(29);
    expect(secondsToNextStep(clock, Date.parse('2026-11-23T04:00:32Z'))).toBe(1);
  });
});

describe('which code to show', () => {
  it('counter 0 in a new step, the same code within a step, a fresh counter when asked', () => {
    expect(nextCursor(undefined, 100, false)).toEqual({ step: 100, counter: 0 });
    const shown = { step: 100, counter: 0 };
    expect(nextCursor(shown, 100, false)).toBe(shown);
    expect(nextCursor(shown, 100, true)).toEqual({ step: 100, counter: 1 });
    expect(nextCursor({ step: 100, counter: 9 }, 101, true)).toEqual({ step: 101, counter: 0 });
  });

  it('never shows a used code again, even when the clock estimate moves back', () => {
    expect(nextCursor({ step: 100, counter: 4 }, 99, false)).toEqual({ step: 100, counter: 5 });
  });

  it('waits for the next step once 255 codes were drawn in one', () => {
    expect(nextCursor({ step: 100, counter: 255 }, 100, true)).toBeUndefined();
    expect(nextCursor({ step: 100, counter: 255 }, 101, true)).toEqual({ step: 101, counter: 0 });
  });
});

describe('offline', () => {
  const clock = { offsetMs: 0, syncedAtMs: 1_000_000 };
  it('is online while the server answers, offline with codes for a day, then asks for the network', () => {
    expect(availability(clock, clock.syncedAtMs + 5_000, true)).toEqual({ kind: 'online' });
    expect(availability(clock, clock.syncedAtMs + 5_000, false)).toEqual({ kind: 'offline', sinceMs: 5_000 });
    expect(availability(clock, clock.syncedAtMs + OFFLINE_CODE_MS, false).kind).toBe('offline');
    expect(availability(clock, clock.syncedAtMs + OFFLINE_CODE_MS + 1, false).kind).toBe('stale');
    expect(availability(undefined, 0, true).kind).toBe('stale');
  });
});

describe('the code moved to another phone', () => {
  const key = { accountNo: '10002', keyId: 7, privateKey: 'x', registeredAtMs: 1_000 };
  it('says moved (with when) once the account names another key, and not moved while it names this one', () => {
    expect(codeMovedAway(key, { accountNo: '10002', activeDeviceKey: { keyId: 8, registeredAt: '2026-12-01T12:00:00.000Z' } }, 2_000)).toEqual({ keyId: 8, at: '2026-12-01T12:00:00.000Z' });
    expect(codeMovedAway(key, { accountNo: '10002', activeDeviceKey: { keyId: 7 } }, 2_000)).toBeNull();
  });
  it('says nothing from an answer asked before this phone registered, from another account, or without the field', () => {
    expect(codeMovedAway(key, { accountNo: '10002', activeDeviceKey: { keyId: 6 } }, 999)).toBeUndefined();
    expect(codeMovedAway(key, { accountNo: '10003', activeDeviceKey: { keyId: 8 } }, 2_000)).toBeUndefined();
    expect(codeMovedAway(key, { accountNo: '10002' }, 2_000)).toBeUndefined();
    expect(codeMovedAway(undefined, { accountNo: '10002', activeDeviceKey: { keyId: 8 } }, 2_000)).toBeUndefined();
  });
});
