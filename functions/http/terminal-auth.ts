/** Authenticates a POS terminal's signed request: known, active, in the clock window, correctly signed, nonce unused. */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ErrorCode, ErrorParamValues } from '../../shared/errors';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { canSign, type Terminal, type TerminalRecord } from '../domain/merchant';
import {
  assertTerminalClock,
  assertTerminalSignature,
  readTerminalHeaders,
  terminalSignatureValid,
  TERMINAL_CLOCK_WINDOW_SECONDS,
} from '../domain/terminal-auth';
import type { OnceOnly } from '../store/movements';
import { getMerchantCached, getTerminalCached, noteTerminalSeen, readSpentNonce, storeNonceRefusal, terminalNoncePut, useTerminalNonce, type SpentNonce } from '../store/terminals';

/** A verified request's nonce, not yet spent: spend it alone, or inside the route's money transaction. */
export interface TerminalNonce extends OnceOnly {
  /**
   * Spends the nonce on its own. If it was spent before, throws what that request was answered: its
   * stored refusal when this is the identical request replayed, else TERMINAL_NONCE_REUSED.
   */
  spend(): Promise<void>;
  /**
   * The answer to a refusal of this request (a route that spends its nonce with the money): the
   * refusal is stored with the nonce, so the identical request replayed answers it again instead of
   * being judged anew (after a top-up, say). If the nonce was spent already, what it remembers wins.
   */
  refused(refusal: AppError): Promise<AppError>;
}

/** A refusal rebuilt from what its nonce stored (the code and the message's parameters). */
const StoredAppError = AppError as unknown as new (code: ErrorCode, detail?: string, params?: ErrorParamValues) => AppError;

export async function authenticateTerminal(deps: Deps, event: APIGatewayProxyEventV2, rawBody: string): Promise<{ terminal: Terminal; nonce: TerminalNonce }> {
  const headers = event.headers ?? {};
  const signed = readTerminalHeaders(headers);
  const now = deps.clock();
  assertTerminalClock(signed.timestamp, now);
  const request = { method: event.requestContext.http.method, path: event.rawPath, body: rawBody };
  let record = await getTerminalCached(deps.db, signed.terminalId, now);
  const signedBy = (terminal: TerminalRecord | undefined) => terminal !== undefined && canSign(terminal) && terminalSignatureValid(terminal.secret, signed, request);
  // One HMAC per request when the copy is current (issue 17, CPU per payment): its answer is kept, not computed again below.
  let valid = signedBy(record);
  // A secret rotated a moment ago is not in this container's copy yet: read the terminal again once.
  if (record && !valid) {
    record = await getTerminalCached.fresh(deps.db, signed.terminalId, now);
    valid = signedBy(record);
  }
  if (!record) throw new AppError('UNAUTHENTICATED', `unknown terminal ${signed.terminalId}`);
  // Not activated yet: it has no secret, so nothing it sends can be verified (answered like an unknown terminal).
  if (!canSign(record)) throw new AppError('UNAUTHENTICATED', `terminal ${signed.terminalId} is not activated`);
  const terminal = record;
  if (!valid) assertTerminalSignature(terminal.secret, signed, request);
  if (terminal.status !== 'active') throw new AppError('TERMINAL_DISABLED', terminal.terminalId);
  // Only now, for a signed request: whether the terminal's merchant may trade.
  const merchant = await getMerchantCached(deps.db, terminal.merchantId, now);
  if (merchant?.status === 'suspended') throw new AppError('MERCHANT_SUSPENDED', `${terminal.terminalId} of ${terminal.merchantId}`);
  // Signed and allowed: the terminal is online (the dashboard), written at most once a minute.
  await noteTerminalSeen(deps.db, terminal.terminalId, now);
  // Only a correctly signed request may spend a nonce, so nobody can burn a terminal's nonces for it.
  const keepSeconds = 2 * TERMINAL_CLOCK_WINDOW_SECONDS + 60;
  const reused = () => new AppError('TERMINAL_NONCE_REUSED', `${terminal.terminalId} ${signed.nonce}`);
  // Same nonce and same signature means the same request (method, path, body, timestamp): a replay.
  const requestHash = createHash('sha256').update(signed.signature).digest('base64url');
  /** Answers already given (read back from the nonce): passed on as they are, never stored again. */
  const answered = new WeakSet<AppError>();
  const answerOf = (spent: SpentNonce): AppError => {
    const stored = spent.refusal;
    const answer =
      stored && stored.request === requestHash ? new StoredAppError(stored.code, `replay of ${terminal.terminalId} ${signed.nonce}`, stored.params) : reused();
    answered.add(answer);
    return answer;
  };
  let spentByThisRequest = false;
  const spentBy = event.requestContext.requestId;
  return {
    terminal,
    nonce: {
      spend: async () => {
        const spent = await useTerminalNonce(deps.db, terminal.terminalId, signed.nonce, now, keepSeconds, spentBy);
        if (spent) throw answerOf(spent);
        spentByThisRequest = true;
      },
      put: terminalNoncePut(deps.db, terminal.terminalId, signed.nonce, now, keepSeconds, spentBy),
      reused,
      refused: async (refusal) => {
        // A 5xx is a passing state of the system ("retry"), not this request's outcome: never stored.
        if (answered.has(refusal) || refusal.status >= 500) return refusal;
        // The money transaction found the nonce spent: answer what it remembers.
        if (refusal.code === 'TERMINAL_NONCE_REUSED') return answerOf(await readSpentNonce(deps.db, terminal.terminalId, signed.nonce));
        const stored = { code: refusal.code, request: requestHash, ...(refusal.params ? { params: refusal.params } : {}) };
        const spent = await storeNonceRefusal(deps.db, terminal.terminalId, signed.nonce, stored, { now, keepSeconds, spentByThisRequest });
        return spent ? answerOf(spent) : refusal;
      },
    },
  };
}
