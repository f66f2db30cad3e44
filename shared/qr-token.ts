/**
 * The rotating campus QR code (documented in docs/qr-token.md). The mini-program makes it offline
 * from the phone's Ed25519 device key; the server (functions/domain/qr-token-verify.ts) checks it.
 *
 *   payload (10 bytes) = version<<4 | purpose, keyId (u32 BE), timeStep (u32 BE), counter (u8)
 *   signature (64 bytes) = Ed25519(device key, "campus-ecard/qr/v1\n" ‖ payload)
 *   wire = "EC1" + base45(payload ‖ signature)          → always 114 characters
 *
 * Every wire character is in the QR alphanumeric set, so the code fits QR version 4 at level L.
 * Pure @noble so that the mini-program, the tests and the POS simulator share one implementation.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { utf8ToBytes } from '@noble/hashes/utils';
import { decodeBase45, encodeBase45 } from './base45';

/** A code belongs to one 30-second step of Unix time; the app draws a new one every step. */
export const QR_TOKEN_STEP_SECONDS = 30;
export const QR_TOKEN_VERSION = 1;
/** Wire prefix: "EC" for the e-card, "1" for the version; it also keeps other QR codes out early. */
export const QR_TOKEN_PREFIX = 'EC1';
export const QR_PAYLOAD_BYTES = 10;
export const QR_SIGNATURE_BYTES = 64;
/** 3 + base45 of 74 bytes (37 pairs × 3 characters). */
export const QR_TOKEN_LENGTH = QR_TOKEN_PREFIX.length + ((QR_PAYLOAD_BYTES + QR_SIGNATURE_BYTES) / 2) * 3;

/** Domain separation: a device key's signature over a QR payload can never pass for anything else. */
const SIGNING_CONTEXT = utf8ToBytes('campus-ecard/qr/v1\n');

export type QrPurpose = 'pay' | 'identity';

/** The purpose nibble of byte 0; 0 and 3..15 are unassigned and refused. */
const PURPOSE_CODES = new Map<QrPurpose, number>([
  ['pay', 1],
  ['identity', 2],
]);
const PURPOSE_OF_CODE = new Map([...PURPOSE_CODES].map(([purpose, code]) => [code, purpose]));

export interface QrTokenPayload {
  version: 1;
  purpose: QrPurpose;
  /** The device key that signs, as registered at binding. */
  keyId: number;
  /** floor(Unix seconds / 30), on the server's clock as the app estimates it. */
  timeStep: number;
  /** 0..255: bumped when the app draws a fresh code within the same step (e.g. after a payment). */
  counter: number;
}

/** Anything that is not a well-formed version 1 token: the terminal showed it garbage, not a bad signature. */
export class QrTokenFormatError extends Error {
  override name = 'QrTokenFormatError';
}

export function timeStepAt(unixMs: number): number {
  return Math.floor(unixMs / 1000 / QR_TOKEN_STEP_SECONDS);
}

/**
 * Whether a code's time step is acceptable at `now`: the current step ± allowedSteps. One step either
 * side absorbs the phone's remaining clock error and the seconds between drawing the code and the
 * scan. The one window rule: the server (online and at upload) and the offline terminal both use it.
 */
export function checkQrWindow(timeStep: number, now: Date, allowedSteps = 1): 'ok' | 'expired' | 'future' {
  const current = timeStepAt(now.getTime());
  if (timeStep < current - allowedSteps) return 'expired';
  if (timeStep > current + allowedSteps) return 'future';
  return 'ok';
}

/** The once-only id the server records when a token is used: `${keyId}.${timeStep}.${counter}`. */
export function qrTokenId(payload: QrTokenPayload): string {
  return `${payload.keyId}.${payload.timeStep}.${payload.counter}`;
}

/** The 10 payload bytes; RangeError if a field does not fit its place. */
export function encodeQrPayload(payload: QrTokenPayload): Uint8Array {
  if (payload.version !== QR_TOKEN_VERSION) throw new RangeError(`QR token version must be ${QR_TOKEN_VERSION}, not ${payload.version}`);
  const purposeCode = PURPOSE_CODES.get(payload.purpose);
  if (purposeCode === undefined) throw new RangeError(`unknown QR token purpose ${JSON.stringify(payload.purpose)}`);
  assertWhole('keyId', payload.keyId, 0xffff_ffff);
  assertWhole('timeStep', payload.timeStep, 0xffff_ffff);
  assertWhole('counter', payload.counter, 0xff);
  const bytes = new Uint8Array(QR_PAYLOAD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, (payload.version << 4) | purposeCode);
  view.setUint32(1, payload.keyId);
  view.setUint32(5, payload.timeStep);
  view.setUint8(9, payload.counter);
  return bytes;
}

/** What the device key signs: the context string followed by the payload bytes. */
export function signedMessage(payloadBytes: Uint8Array): Uint8Array {
  const message = new Uint8Array(SIGNING_CONTEXT.length + payloadBytes.length);
  message.set(SIGNING_CONTEXT, 0);
  message.set(payloadBytes, SIGNING_CONTEXT.length);
  return message;
}

/** The wire string for the QR code; needs no network. `privateKey` is the 32-byte Ed25519 seed. */
export function signQrToken(payload: QrTokenPayload, privateKey: Uint8Array): string {
  if (privateKey.length !== 32) throw new RangeError(`device private key must be 32 bytes, not ${privateKey.length}`);
  const payloadBytes = encodeQrPayload(payload);
  const signature = ed25519.sign(signedMessage(payloadBytes), privateKey);
  const body = new Uint8Array(QR_PAYLOAD_BYTES + QR_SIGNATURE_BYTES);
  body.set(payloadBytes, 0);
  body.set(signature, QR_PAYLOAD_BYTES);
  return QR_TOKEN_PREFIX + encodeBase45(body);
}

/** Splits a scanned string into payload and signature; the signature is NOT checked here. */
export function parseQrToken(text: string): { payload: QrTokenPayload; payloadBytes: Uint8Array; signature: Uint8Array } {
  if (!text.startsWith(QR_TOKEN_PREFIX)) throw new QrTokenFormatError(`not a campus QR token (expected prefix ${QR_TOKEN_PREFIX})`);
  if (text.length !== QR_TOKEN_LENGTH) throw new QrTokenFormatError(`QR token has ${text.length} characters, expected ${QR_TOKEN_LENGTH}`);
  let body: Uint8Array;
  try {
    body = decodeBase45(text.slice(QR_TOKEN_PREFIX.length));
  } catch (error) {
    if (error instanceof RangeError) throw new QrTokenFormatError(`QR token is not base45: ${error.message}`);
    throw error;
  }
  // Unreachable after the length check, but cheap insurance if the prefix or sizes ever change.
  if (body.length !== QR_PAYLOAD_BYTES + QR_SIGNATURE_BYTES) throw new QrTokenFormatError(`QR token has ${body.length} bytes`);
  const payloadBytes = body.slice(0, QR_PAYLOAD_BYTES);
  const signature = body.slice(QR_PAYLOAD_BYTES);
  const view = new DataView(payloadBytes.buffer);
  const version = payloadBytes[0]! >> 4;
  if (version !== QR_TOKEN_VERSION) throw new QrTokenFormatError(`unknown QR token version ${version}`);
  const purpose = PURPOSE_OF_CODE.get(payloadBytes[0]! & 0x0f);
  if (!purpose) throw new QrTokenFormatError(`unknown QR token purpose ${payloadBytes[0]! & 0x0f}`);
  return {
    payload: { version: QR_TOKEN_VERSION, purpose, keyId: view.getUint32(1), timeStep: view.getUint32(5), counter: view.getUint8(9) },
    payloadBytes,
    signature,
  };
}

/**
 * A new device key, made on the phone at binding; only the public key leaves it. Pass `randomSeed`
 * (32 bytes) where crypto.getRandomValues is missing, e.g. from wx.getRandomValues in a mini-program.
 */
export function generateDeviceKeyPair(randomSeed?: Uint8Array): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const privateKey = ed25519.utils.randomSecretKey(randomSeed);
  return { privateKey, publicKey: ed25519.getPublicKey(privateKey) };
}

/**
 * What the phone signs with its new key at binding, to prove it holds the key it registers (the server
 * checks it in functions/services/device-keys.ts). `publicKey` is the raw key in base64url, as sent.
 */
export function deviceKeyProofMessage(accountNo: string, publicKey: string): Uint8Array {
  return utf8ToBytes(`campus-ecard/device-key/v1\n${accountNo}\n${publicKey}`);
}

/**
 * How far the server clock is ahead of the phone's (NTP-style: the server read its clock about halfway
 * through the round trip). The app adds it to Date.now() when drawing codes, so they stay in the
 * server's window offline even on a phone whose clock is wrong.
 */
export function clockOffsetMs(serverTimeMs: number, clientSentAtMs: number, clientReceivedAtMs: number): number {
  return serverTimeMs - (clientSentAtMs + clientReceivedAtMs) / 2;
}

function assertWhole(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`QR token ${field} must be a whole number 0..${max}, not ${value}`);
}
