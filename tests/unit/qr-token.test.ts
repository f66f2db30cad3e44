import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkQrWindow, verifyEd25519, verifyQrSignature } from '../../functions/domain/qr-token-verify';
import { decodeBase45, encodeBase45 } from '../../shared/base45';
import {
  clockOffsetMs,
  deviceKeyProofMessage,
  encodeQrPayload,
  generateDeviceKeyPair,
  parseQrToken,
  QR_TOKEN_LENGTH,
  QR_TOKEN_STEP_SECONDS,
  qrTokenId,
  QrTokenFormatError,
  signedMessage,
  signQrToken,
  timeStepAt,
  type QrTokenPayload,
} from '../../shared/qr-token';

const text = (s: string) => new TextEncoder().encode(s);
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const QR_ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

/** RFC 8032 §7.1 test 1: a known seed and its public key. */
const RFC8032_SEED = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const RFC8032_PUBLIC = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');

const payload: QrTokenPayload = { version: 1, purpose: 'pay', keyId: 0x12345678, timeStep: 59_000_000, counter: 7 };
/** That payload signed with the RFC 8032 seed (Ed25519 is deterministic): the format must not drift. */
const GOLDEN_TOKEN = 'EC1572XR6X7FKWGJCO*G40IQ..3FJUE47 1MC 44COD-H:YLVW3K4PTTP-O4.5I*%HI:J$4PW2BO81V.A/ 60G3B9V*626*7Y%N+*SEO5$TVE9690M';

/** A token with these raw bytes after the prefix, signature or not. */
const wire = (bytes: Uint8Array, prefix = 'EC1') => prefix + encodeBase45(bytes);
const tokenBytes = (token: string) => decodeBase45(token.slice(3));

describe('base45 (RFC 9285)', () => {
  it.each([
    ['AB', 'BB8'],
    ['Hello!!', '%69 VD92EX0'],
    ['base-45', 'UJCLQE7W581'],
    ['ietf!', 'QED8WEX0'],
    ['', ''],
  ])('%j <-> %j', (plain, encoded) => {
    expect(encodeBase45(text(plain))).toBe(encoded);
    expect(decodeBase45(encoded)).toEqual(text(plain));
  });

  it.each([
    [[0x00], '00'],
    [[0xff], 'U5'],
    [[0x00, 0x00], '000'],
    [[0xff, 0xff], 'FGW'],
  ])('edge bytes %j <-> %j', (bytes, encoded) => {
    expect(encodeBase45(Uint8Array.from(bytes))).toBe(encoded);
    expect(decodeBase45(encoded)).toEqual(Uint8Array.from(bytes));
  });

  it.each([
    ['GGW', 'a triple over 65535 (RFC 9285 §4.2)'],
    [':::', 'the largest triple'],
    ['V5', 'a last pair over 255'],
    ['A', 'a dangling single character'],
    ['BB8A', 'a dangling character after a triple'],
    ['bb8', 'lowercase'],
    ['BB#', 'a character outside the alphabet'],
    ['BB\u00e9', 'a non-ASCII character'],
  ])('decode refuses %j (%s)', (encoded) => {
    expect(() => decodeBase45(encoded)).toThrow(RangeError);
  });

  it('round-trips random bytes of every length up to 80', () => {
    for (let length = 0; length <= 80; length++) {
      for (let round = 0; round < 20; round++) {
        const bytes = crypto.getRandomValues(new Uint8Array(length));
        const encoded = encodeBase45(bytes);
        expect(encoded).toMatch(QR_ALPHANUMERIC);
        expect(encoded).toHaveLength(Math.floor(length / 2) * 3 + (length % 2) * 2);
        expect(decodeBase45(encoded)).toEqual(bytes);
      }
    }
  });
});

describe('QR token payload', () => {
  it('lays out version|purpose, keyId, timeStep, counter big-endian', () => {
    expect(encodeQrPayload(payload)).toEqual(hex('11' + '12345678' + '038444c0' + '07'));
    expect(encodeQrPayload({ ...payload, purpose: 'identity' })[0]).toBe(0x12);
  });

  it('signs the context string followed by the payload', () => {
    const bytes = encodeQrPayload(payload);
    expect(signedMessage(bytes)).toEqual(new Uint8Array([...text('campus-ecard/qr/v1\n'), ...bytes]));
  });

  it.each([
    [{ counter: 255 }],
    [{ keyId: 0 }],
    [{ keyId: 2 ** 32 - 1 }],
    [{ timeStep: 0 }],
    [{ timeStep: 2 ** 32 - 1 }],
  ])('accepts the limit %j', (change) => {
    expect(() => encodeQrPayload({ ...payload, ...change })).not.toThrow();
  });

  it.each([
    [{ counter: 256 }],
    [{ counter: -1 }],
    [{ counter: 1.5 }],
    [{ keyId: -1 }],
    [{ keyId: 2 ** 32 }],
    [{ keyId: Number.NaN }],
    [{ timeStep: -1 }],
    [{ timeStep: 2 ** 32 }],
    [{ purpose: 'topup' as never }],
    [{ purpose: 'toString' as never }],
    [{ version: 2 as never }],
  ])('refuses %j', (change) => {
    expect(() => encodeQrPayload({ ...payload, ...change })).toThrow(RangeError);
  });

  it('names a token by key, step and counter', () => expect(qrTokenId(payload)).toBe('305419896.59000000.7'));

  it.each([
    [0, 0],
    [29_999, 0],
    [30_000, 1],
    [Date.UTC(2026, 1, 2, 2, 40, 0), 59_000_000],
    [Date.UTC(2026, 1, 2, 2, 40, 29, 999), 59_000_000],
  ])('timeStepAt(%i) = %i', (unixMs, step) => expect(timeStepAt(unixMs)).toBe(step));
});

describe('QR token: signed on the phone (noble), checked on the server (node:crypto)', () => {
  it('matches the golden token for the RFC 8032 test key', () => {
    expect(generateDeviceKeyPair(RFC8032_SEED).publicKey).toEqual(RFC8032_PUBLIC);
    expect(signQrToken(payload, RFC8032_SEED)).toBe(GOLDEN_TOKEN);
  });

  it.each([
    { ...payload },
    { ...payload, purpose: 'identity' as const },
    { version: 1 as const, purpose: 'pay' as const, keyId: 0, timeStep: 0, counter: 0 },
    { version: 1 as const, purpose: 'identity' as const, keyId: 2 ** 32 - 1, timeStep: 2 ** 32 - 1, counter: 255 },
  ])('round trip of %j: 114 QR-alphanumeric characters, parsed back, verified', (p) => {
    const device = generateDeviceKeyPair();
    const token = signQrToken(p, device.privateKey);
    expect(token).toHaveLength(114);
    expect(QR_TOKEN_LENGTH).toBe(114);
    expect(token).toMatch(QR_ALPHANUMERIC);
    expect(token.startsWith('EC1')).toBe(true);
    const parsed = parseQrToken(token);
    expect(parsed.payload).toEqual(p);
    expect(parsed.payloadBytes).toEqual(encodeQrPayload(p));
    expect(verifyQrSignature(device.publicKey, parsed.payloadBytes, parsed.signature)).toBe(true);
  });

  it('verifies a token signed with a key that node:crypto generated (raw seed from its JWK)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    expect(generateDeviceKeyPair(seed).publicKey).toEqual(new Uint8Array(raw));
    const parsed = parseQrToken(signQrToken(payload, seed));
    expect(verifyQrSignature(raw, parsed.payloadBytes, parsed.signature)).toBe(true);
  });

  it('fails when any single payload or signature byte is changed', () => {
    const device = generateDeviceKeyPair();
    const { payloadBytes, signature } = parseQrToken(signQrToken(payload, device.privateKey));
    for (let i = 0; i < payloadBytes.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const tampered = payloadBytes.slice();
        tampered[i]! ^= flip;
        expect(verifyQrSignature(device.publicKey, tampered, signature), `payload byte ${i} ^ ${flip}`).toBe(false);
      }
    }
    for (let i = 0; i < signature.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const tampered = signature.slice();
        tampered[i]! ^= flip;
        expect(verifyQrSignature(device.publicKey, payloadBytes, tampered), `signature byte ${i} ^ ${flip}`).toBe(false);
      }
    }
  });

  it('fails for another device key, a key of the wrong size, and truncated parts', () => {
    const device = generateDeviceKeyPair();
    const { payloadBytes, signature } = parseQrToken(signQrToken(payload, device.privateKey));
    expect(verifyQrSignature(generateDeviceKeyPair().publicKey, payloadBytes, signature)).toBe(false);
    expect(verifyQrSignature(device.publicKey.slice(0, 31), payloadBytes, signature)).toBe(false);
    expect(verifyQrSignature(new Uint8Array(32).fill(0xff), payloadBytes, signature)).toBe(false);
    expect(verifyQrSignature(device.publicKey, payloadBytes.slice(0, 9), signature)).toBe(false);
    expect(verifyQrSignature(device.publicKey, payloadBytes, signature.slice(0, 63))).toBe(false);
  });

  it('fails for a signature over the bare payload (no context string)', async () => {
    const { ed25519 } = await import('@noble/curves/ed25519');
    const device = generateDeviceKeyPair();
    const payloadBytes = encodeQrPayload(payload);
    expect(verifyQrSignature(device.publicKey, payloadBytes, ed25519.sign(payloadBytes, device.privateKey))).toBe(false);
  });

  it('device key proof at binding: the phone signs, node:crypto verifies, for this account and key only', async () => {
    const { ed25519 } = await import('@noble/curves/ed25519');
    const device = generateDeviceKeyPair();
    const publicKey = Buffer.from(device.publicKey).toString('base64url');
    expect(deviceKeyProofMessage('10001', 'KEY')).toEqual(text('campus-ecard/device-key/v1\n10001\nKEY'));
    const proof = ed25519.sign(deviceKeyProofMessage('10001', publicKey), device.privateKey);
    expect(verifyEd25519(device.publicKey, deviceKeyProofMessage('10001', publicKey), proof)).toBe(true);
    expect(verifyEd25519(device.publicKey, deviceKeyProofMessage('10002', publicKey), proof)).toBe(false);
    expect(verifyEd25519(generateDeviceKeyPair().publicKey, deviceKeyProofMessage('10001', publicKey), proof)).toBe(false);
    expect(verifyEd25519(device.publicKey, deviceKeyProofMessage('10001', publicKey), proof.slice(0, 63))).toBe(false);
  });

  it('refuses a private key that is not a 32-byte seed', () => {
    expect(() => signQrToken(payload, new Uint8Array(64))).toThrow(RangeError);
  });
});

describe('malformed QR tokens', () => {
  const body = tokenBytes(GOLDEN_TOKEN);
  const withByte0 = (byte0: number) => {
    const bytes = body.slice();
    bytes[0] = byte0;
    return wire(bytes);
  };

  it.each([
    ['empty', ''],
    ['wrong prefix', 'EC2' + GOLDEN_TOKEN.slice(3)],
    ['another QR code', 'https://example.edu/pay?token=1'],
    ['lowercase prefix', 'ec1' + GOLDEN_TOKEN.slice(3)],
    ['lowercase body', GOLDEN_TOKEN.toLowerCase().replace(/^ec1/, 'EC1')],
    ['truncated by one', GOLDEN_TOKEN.slice(0, -1)],
    ['truncated by a triple', GOLDEN_TOKEN.slice(0, -3)],
    ['one extra character', GOLDEN_TOKEN + '0'],
    ['one extra triple', GOLDEN_TOKEN + '000'],
    ['a leading space', ` ${GOLDEN_TOKEN}`],
    ['a trailing space', `${GOLDEN_TOKEN} `],
    ['a character outside base45', GOLDEN_TOKEN.slice(0, 50) + '#' + GOLDEN_TOKEN.slice(51)],
    ['a triple over 65535', GOLDEN_TOKEN.slice(0, 3) + 'GGW' + GOLDEN_TOKEN.slice(6)],
    ['73 bytes', wire(body.slice(0, 73))],
    ['75 bytes', wire(new Uint8Array([...body, 0]))],
    ['purpose nibble 0', withByte0(0x10)],
    ['purpose nibble 3', withByte0(0x13)],
    ['purpose nibble 15', withByte0(0x1f)],
    ['version 0', withByte0(0x01)],
    ['version 2', withByte0(0x21)],
    ['version 15', withByte0(0xf1)],
  ])('%s throws QrTokenFormatError', (_, token) => {
    expect(() => parseQrToken(token)).toThrow(QrTokenFormatError);
  });

  it('is an Error with its own name', () => {
    const error = (() => {
      try {
        parseQrToken('nope');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('QrTokenFormatError');
  });
});

describe('server time window', () => {
  const now = new Date(Date.UTC(2026, 1, 2, 2, 40, 15)); // mid-step 59_000_000
  const step = 59_000_000;

  it.each([
    [step - 2, 'expired'],
    [step - 1, 'ok'],
    [step, 'ok'],
    [step + 1, 'ok'],
    [step + 2, 'future'],
  ] as const)('step %i is %s', (timeStep, verdict) => {
    expect(checkQrWindow(timeStep, now)).toBe(verdict);
  });

  it.each([
    [step - 3, 2, 'expired'],
    [step - 2, 2, 'ok'],
    [step + 2, 2, 'ok'],
    [step + 3, 2, 'future'],
    [step - 1, 0, 'expired'],
    [step, 0, 'ok'],
    [step + 1, 0, 'future'],
  ] as const)('step %i with ±%i steps allowed is %s', (timeStep, allowed, verdict) => {
    expect(checkQrWindow(timeStep, now, allowed)).toBe(verdict);
  });

  it('changes verdict exactly at step boundaries', () => {
    const stepStart = step * QR_TOKEN_STEP_SECONDS * 1000;
    expect(checkQrWindow(step - 1, new Date(stepStart + 29_999))).toBe('ok');
    expect(checkQrWindow(step - 1, new Date(stepStart + 30_000))).toBe('expired');
    expect(checkQrWindow(step + 2, new Date(stepStart + 29_999))).toBe('future');
    expect(checkQrWindow(step + 2, new Date(stepStart + 30_000))).toBe('ok');
  });
});

describe('clockOffsetMs', () => {
  it.each([
    ['phone in step with the server', 1_000_500, 1_000_000, 1_001_000, 0],
    ['server 90 s ahead', 1_090_500, 1_000_000, 1_001_000, 90_000],
    ['server 2 min behind', 880_500, 1_000_000, 1_001_000, -120_000],
    ['instant round trip', 5_000, 2_000, 2_000, 3_000],
    ['odd round trip: half a millisecond', 1_000, 0, 1, 999.5],
  ])('%s', (_, server, sent, received, offset) => {
    expect(clockOffsetMs(server, sent, received)).toBe(offset);
  });

  it('puts a phone with a wrong clock into the server window', () => {
    const serverNow = Date.UTC(2026, 1, 2, 2, 40, 15);
    const phoneNow = serverNow - 7 * 60_000; // phone clock 7 minutes slow
    const offset = clockOffsetMs(serverNow + 100, phoneNow - 200, phoneNow + 400);
    const timeStep = timeStepAt(phoneNow + offset);
    expect(checkQrWindow(timeStep, new Date(serverNow))).toBe('ok');
    expect(checkQrWindow(timeStepAt(phoneNow), new Date(serverNow))).toBe('expired');
  });
});
