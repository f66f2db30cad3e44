import { cancelAutoReloadRoute } from '../../shared/api/auto-reload';
import { route } from '../http/route';
import { cancelAutoReload } from '../services/auto-reload';

export const handler = route(cancelAutoReloadRoute, async (_input, { deps, holder }) => cancelAutoReload(deps, holder.accountNo));
