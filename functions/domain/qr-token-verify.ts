/**
 * Checks on a campus QR token that need no database: the device key's signature and the time window.
 * The signature goes through node:crypto (OpenSSL, strict RFC 8032) rather than the mini-program's
 * @noble code, so the tests prove that what the phone signs is what the server accepts.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { QR_PAYLOAD_BYTES, QR_SIGNATURE_BYTES, signedMessage } from '../../shared/qr-token';

/** DER SubjectPublicKeyInfo header for Ed25519 (RFC 8410); the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** True only for a signature by this key over exactly these payload bytes; never throws on bad input. */
export function verifyQrSignature(publicKeyRaw32: Uint8Array, payloadBytes: Uint8Array, signature: Uint8Array): boolean {
  if (payloadBytes.length !== QR_PAYLOAD_BYTES || signature.length !== QR_SIGNATURE_BYTES) return false;
  return verifyEd25519(publicKeyRaw32, signedMessage(payloadBytes), signature);
}

/**
 * Parsed keys by their raw bytes: building a KeyObject costs about as much as the verification
 * (issue 17: a quarter of a payment's CPU), and a holder pays with the same key all day. Bounded; the
 * oldest goes first. Only keys that parsed are kept.
 */
const keyObjects = new Map<string, KeyObject>();
const KEY_OBJECT_CACHE_LIMIT = 20_000;

function publicKeyObject(publicKeyRaw32: Uint8Array): KeyObject {
  const id = Buffer.from(publicKeyRaw32).toString('base64');
  let key = keyObjects.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKeyRaw32]), format: 'der', type: 'spki' });
    if (keyObjects.size >= KEY_OBJECT_CACHE_LIMIT) keyObjects.delete(keyObjects.keys().next().value!);
    keyObjects.set(id, key);
  }
  return key;
}

/** Plain Ed25519 check with a raw 32-byte public key (also the device key's proof of possession at binding). */
export function verifyEd25519(publicKeyRaw32: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKeyRaw32.length !== 32 || signature.length !== 64) return false;
  try {
    return verify(null, message, publicKeyObject(publicKeyRaw32), signature);
  } catch {
    // A stored key that is not a point on the curve verifies nothing.
    return false;
  }
}

/** The window rule lives with the token format, so the offline terminal applies the very same one. */
export { checkQrWindow } from '../../shared/qr-token';
