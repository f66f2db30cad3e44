import { posCharge } from '../../shared/api/routes';
import { route } from '../http/route';
import { chargeAtTerminal } from '../services/charge';

export const handler = route(posCharge, async ({ body }, { deps, terminal }) => {
  if (!terminal) throw new Error('terminal route ran without a terminal');
  return chargeAtTerminal(deps, terminal, body);
});
