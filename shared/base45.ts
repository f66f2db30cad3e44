/**
 * Base45 (RFC 9285): bytes as text in the QR code's alphanumeric character set, so a QR token fits a
 * smaller QR version than base64 would (alphanumeric mode packs 2 characters into 11 bits).
 *
 * Each pair of bytes n = a·256 + b becomes three characters c d e with n = c + d·45 + e·45²; a last
 * odd byte becomes two characters. Decoding refuses every string that no encoding produces, so a
 * token has exactly one spelling. Pure TS without Buffer: the mini-program runs this too.
 */

export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

const VALUE_OF = new Map<string, number>([...BASE45_ALPHABET].map((char, value) => [char, value]));

export function encodeBase45(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i]! * 256 + bytes[i + 1]!;
    for (let k = 0; k < 3; k++) {
      text += BASE45_ALPHABET[n % 45];
      n = Math.floor(n / 45);
    }
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1]!;
    text += BASE45_ALPHABET[n % 45]! + BASE45_ALPHABET[Math.floor(n / 45)]!;
  }
  return text;
}

/** Throws RangeError on a character outside the alphabet, a group over its byte range, or a dangling character. */
export function decodeBase45(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new RangeError(`base45: dangling character at the end of ${text.length} characters`);
  const values: number[] = [];
  for (let at = 0; at < text.length; at++) {
    const value = VALUE_OF.get(text.charAt(at));
    if (value === undefined) throw new RangeError(`base45: ${JSON.stringify(text.charAt(at))} at ${at} is not in the alphabet`);
    values.push(value);
  }
  const bytes = new Uint8Array(Math.floor(values.length / 3) * 2 + (values.length % 3 === 2 ? 1 : 0));
  let out = 0;
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i]! + values[i + 1]! * 45 + values[i + 2]! * 45 * 45;
      if (n > 0xffff) throw new RangeError(`base45: group at ${i} is ${n}, more than two bytes`);
      bytes[out++] = n >> 8;
      bytes[out++] = n & 0xff;
    } else {
      const n = values[i]! + values[i + 1]! * 45;
      if (n > 0xff) throw new RangeError(`base45: last group at ${i} is ${n}, more than one byte`);
      bytes[out++] = n;
    }
  }
  return bytes;
}
