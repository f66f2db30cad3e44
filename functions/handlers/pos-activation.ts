import { activateTerminalRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { activateTerminal } from '../services/terminal-activation';

export const handler = route(activateTerminalRoute, async ({ body }, { deps }) => activateTerminal(deps, body));
