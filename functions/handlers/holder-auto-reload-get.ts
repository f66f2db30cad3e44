import { getAutoReloadRoute } from '../../shared/api/auto-reload';
import { route } from '../http/route';
import { getAutoReload } from '../services/auto-reload';

export const handler = route(getAutoReloadRoute, async (_input, { deps, holder }) => getAutoReload(deps, holder.accountNo));
