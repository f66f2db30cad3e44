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
import type { OnceOnly } from '../store/movements';
import { getTerminalCached, terminalNoncePut, useTerminalNonce } from '../store/terminals';

/** A verified request's nonce, not yet spent: spend it alone, or inside the route's money transaction. */
export interface TerminalNonce extends OnceOnly {
  spend(): Promise<void>;
}

export async function authenticateTerminal(deps: Deps, event: APIGatewayProxyEventV2, rawBody: string): Promise<{ terminal: Terminal; nonce: TerminalNonce }> {
  const headers = event.headers ?? {};
  const signed = readTerminalHeaders(headers);
  const now = deps.clock();
  assertTerminalClock(signed.timestamp, now);
  const terminal = await getTerminalCached(deps.db, signed.terminalId, now);
  if (!terminal) throw new AppError('UNAUTHENTICATED', `unknown terminal ${signed.terminalId}`);
  assertTerminalSignature(terminal.secret, signed, { method: event.requestContext.http.method, path: event.rawPath, body: rawBody });
  if (terminal.status !== 'active') throw new AppError('TERMINAL_DISABLED', terminal.terminalId);
  // Only a correctly signed request may spend a nonce, so nobody can burn a terminal's nonces for it.
  const keepSeconds = 2 * TERMINAL_CLOCK_WINDOW_SECONDS + 60;
  const reused = () => new AppError('TERMINAL_NONCE_REUSED', `${terminal.terminalId} ${signed.nonce}`);
  return {
    terminal,
    nonce: {
      spend: async () => {
        if (!(await useTerminalNonce(deps.db, terminal.terminalId, signed.nonce, now, keepSeconds))) throw reused();
      },
      put: terminalNoncePut(deps.db, terminal.terminalId, signed.nonce, now, keepSeconds),
      reused,
    },
  };
}
