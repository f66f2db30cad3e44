import { cancelAdminAutoReload } from '../../shared/api/admin';
import { route } from '../http/route';
import { cancelAutoReloadAtCardCentre } from '../services/auto-reload';

export const handler = route(cancelAdminAutoReload, async ({ params, body }, { deps, admin }) => cancelAutoReloadAtCardCentre(deps, admin, params.accountNo, body.reason));
