import { disableTerminalRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { disableTerminal } from '../services/admin/merchants';

export const handler = route(disableTerminalRoute, async ({ params, body }, { deps, admin }) => disableTerminal(deps, admin, params.terminalId, body));
