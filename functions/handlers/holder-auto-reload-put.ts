import { updateAutoReloadRoute } from '../../shared/api/auto-reload';
import { route } from '../http/route';
import { updateAutoReload } from '../services/auto-reload';

export const handler = route(updateAutoReloadRoute, async ({ body }, { deps, holder }) => updateAutoReload(deps, holder.accountNo, body));
