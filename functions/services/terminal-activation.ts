/**
 * A terminal's activation: it exchanges the one-time code the card centre gave its installer for
 * its signing secret. The code is the credential (the terminal has no secret to sign with yet), so
 * every way of not having the right code answers the same: ACTIVATION_CODE_INVALID.
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import type { TerminalKind } from '../../shared/vocabulary';
import { activationCodeHash, newTerminalSecret } from '../domain/merchant';
import { exchangeActivationCode, getTerminalCached } from '../store/terminals';

export async function activateTerminal(
  deps: Pick<Deps, 'db' | 'clock'>,
  body: { terminalId: string; activationCode: string },
): Promise<{ terminalId: string; merchantId: string; place: string; kind: TerminalKind; secret: string; activatedAt: string }> {
  const now = deps.clock();
  const secret = newTerminalSecret();
  // One conditional write checks the code and sets the secret: a second exchange of the code finds it gone.
  const terminal = await exchangeActivationCode(deps.db, body.terminalId, activationCodeHash(body.activationCode), secret, now);
  if (!terminal) throw new AppError('ACTIVATION_CODE_INVALID', `activation of ${body.terminalId}`);
  // The old secret (a rotation) stops working here at once, and in other containers within their cache time.
  getTerminalCached.forget(deps.db, body.terminalId);
  // Terminals registered before kinds existed are cash-desk POS terminals.
  return { terminalId: terminal.terminalId, merchantId: terminal.merchantId, place: terminal.place, kind: terminal.kind ?? 'pos', secret, activatedAt: now.toISOString() };
}
