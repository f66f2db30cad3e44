/** Checks on a terminal's signed request that need no database: headers present, clock window, signature. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalTerminalRequest, TERMINAL_HEADERS } from '../../shared/terminal-signature';
import { AppError } from '../app-error';

/** Requests signed more than this far from the server clock are refused (DESIGN: ±5 minutes). */
export const TERMINAL_CLOCK_WINDOW_SECONDS = 300;

export interface SignedTerminalRequest {
  terminalId: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

export function readTerminalHeaders(headers: Record<string, string | undefined>): SignedTerminalRequest {
  const terminalId = headers[TERMINAL_HEADERS.terminalId];
  const timestamp = headers[TERMINAL_HEADERS.timestamp];
  const nonce = headers[TERMINAL_HEADERS.nonce];
  const signature = headers[TERMINAL_HEADERS.signature];
  if (!terminalId || !timestamp || !nonce || !signature) throw new AppError('UNAUTHENTICATED', 'missing terminal signature headers');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(terminalId) || !/^[A-Za-z0-9_-]{8,64}$/.test(nonce) || !/^\d{1,12}$/.test(timestamp)) {
    throw new AppError('UNAUTHENTICATED', 'malformed terminal signature headers');
  }
  return { terminalId, timestamp, nonce, signature };
}

export function assertTerminalClock(timestamp: string, now: Date): void {
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > TERMINAL_CLOCK_WINDOW_SECONDS) throw new AppError('TERMINAL_CLOCK_SKEW', `skew ${Math.round(skew)} s`);
}

export function assertTerminalSignature(
  secret: string,
  signed: SignedTerminalRequest,
  request: { method: string; path: string; body: string },
): void {
  if (!terminalSignatureValid(secret, signed, request)) throw new AppError('UNAUTHENTICATED', `bad signature from terminal ${signed.terminalId}`);
}

export function terminalSignatureValid(secret: string, signed: SignedTerminalRequest, request: { method: string; path: string; body: string }): boolean {
  // node:crypto (OpenSSL) on the hot path; the same canonical form as the shared signer, which tests compare.
  const canonical = canonicalTerminalRequest({ ...request, timestamp: signed.timestamp, nonce: signed.nonce });
  const expected = Buffer.from(createHmac('sha256', secret).update(canonical).digest('base64url'));
  const given = Buffer.from(signed.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
