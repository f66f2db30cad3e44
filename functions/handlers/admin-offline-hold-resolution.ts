import { resolveOfflineHoldRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { resolveOfflineHold } from '../services/admin/offline-holds';

export const handler = route(resolveOfflineHoldRoute, async ({ params, body }, { deps, admin }) => resolveOfflineHold(deps, admin, params.id, body));
