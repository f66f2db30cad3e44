/**
 * How a POS terminal signs each request (documented for vendors in docs/terminal-auth.md):
 *
 *   canonical = METHOD \n PATH \n TIMESTAMP \n NONCE \n hex(SHA-256(raw body))
 *   signature = base64url(HMAC-SHA256(terminal secret, canonical))
 *
 * sent as the headers x-terminal-id, x-timestamp (Unix seconds), x-nonce and x-signature.
 * Pure @noble/hashes so that the POS simulator, the tests and the server share one implementation.
 */
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

export const TERMINAL_HEADERS = {
  terminalId: 'x-terminal-id',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
} as const;

export interface TerminalRequestParts {
  method: string;
  path: string;
  timestamp: string;
  nonce: string;
  body: string;
}

export function canonicalTerminalRequest(parts: TerminalRequestParts): string {
  return [parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, bytesToHex(sha256(utf8ToBytes(parts.body)))].join('\n');
}

export function terminalSignature(secret: string, parts: TerminalRequestParts): string {
  const mac = hmac(sha256, utf8ToBytes(secret), utf8ToBytes(canonicalTerminalRequest(parts)));
  return base64url(mac);
}

/** The headers a terminal sends with a request. */
export function signTerminalRequest(
  terminal: { terminalId: string; secret: string },
  request: { method: string; path: string; body: string; now: Date; nonce: string },
): Record<string, string> {
  const timestamp = Math.floor(request.now.getTime() / 1000).toString();
  const parts = { method: request.method, path: request.path, timestamp, nonce: request.nonce, body: request.body };
  return {
    [TERMINAL_HEADERS.terminalId]: terminal.terminalId,
    [TERMINAL_HEADERS.timestamp]: timestamp,
    [TERMINAL_HEADERS.nonce]: request.nonce,
    [TERMINAL_HEADERS.signature]: terminalSignature(terminal.secret, parts),
  };
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
