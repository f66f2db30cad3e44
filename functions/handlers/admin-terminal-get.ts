import { getTerminalRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { getTerminalView } from '../services/admin/merchants';

export const handler = route(getTerminalRoute, async ({ params }, { deps }) => getTerminalView(deps, params.terminalId));
