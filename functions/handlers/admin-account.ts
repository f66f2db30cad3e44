import { getAdminAccount } from '../../shared/api/admin';
import { route } from '../http/route';
import { adminAccountView } from '../services/admin/accounts';

export const handler = route(getAdminAccount, async ({ params }, { deps, admin }) => adminAccountView(deps, admin, params.accountNo));
