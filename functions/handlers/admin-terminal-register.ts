import { registerTerminalRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { registerTerminal } from '../services/admin/merchants';

export const handler = route(registerTerminalRoute, async ({ body }, { deps, admin }) => registerTerminal(deps, admin, body));
