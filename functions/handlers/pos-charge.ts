import { posCharge } from '../../shared/api/pos';
import { route } from '../http/route';
import { chargeAtTerminal } from '../services/charge';

export const handler = route(posCharge, async ({ body }, { deps, terminal, nonce }) => chargeAtTerminal(deps, terminal, body, nonce), { nonceSpentByRoute: true });
