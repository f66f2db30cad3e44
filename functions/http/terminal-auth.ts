/** Authenticates a POS terminal's signed request: known, active, in the clock window, correctly signed, nonce unused. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import type { Terminal } from '../domain/merchant';
import {
  assertTerminalClock,
  assertTerminalSignature,
  readTerminalHeaders,
  TERMINAL_CLOCK_WINDOW_SECONDS,
} from '../domain/terminal-auth';
import { getTerminal, useTerminalNonce } from '../store/terminals';

export async function authenticateTerminal(deps: Deps, event: APIGatewayProxyEventV2, rawBody: string): Promise<Terminal> {
  const headers = event.headers ?? {};
  const signed = readTerminalHeaders(headers);
  const now = deps.clock();
  assertTerminalClock(signed.timestamp, now);
  const terminal = await getTerminal(deps.db, signed.terminalId);
  if (!terminal) throw new AppError('UNAUTHENTICATED', `unknown terminal ${signed.terminalId}`);
  assertTerminalSignature(terminal.secret, signed, { method: event.requestContext.http.method, path: event.rawPath, body: rawBody });
  if (terminal.status !== 'active') throw new AppError('TERMINAL_DISABLED', terminal.terminalId);
  // Only a correctly signed request may spend a nonce, so nobody can burn a terminal's nonces for it.
  const fresh = await useTerminalNonce(deps.db, terminal.terminalId, signed.nonce, now, 2 * TERMINAL_CLOCK_WINDOW_SECONDS + 60);
  if (!fresh) throw new AppError('TERMINAL_NONCE_REUSED', `${terminal.terminalId} ${signed.nonce}`);
  return terminal;
}
