import { getAdminAutoReload } from '../../shared/api/admin';
import { route } from '../http/route';
import { getAdminAutoReload as adminAutoReloadView } from '../services/auto-reload';

export const handler = route(getAdminAutoReload, async ({ params }, { deps }) => adminAutoReloadView(deps, params.accountNo));
