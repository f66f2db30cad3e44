import { signAutoReloadRoute } from '../../shared/api/auto-reload';
import { route } from '../http/route';
import { signAutoReload } from '../services/auto-reload';

export const handler = route(signAutoReloadRoute, async ({ body }, { deps, holder }) => signAutoReload(deps, holder.accountNo, body));
