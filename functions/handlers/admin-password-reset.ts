import { resetPassword } from '../../shared/api/admin';
import { route } from '../http/route';
import { resetToDefaultPassword } from '../services/admin/account-care';

export const handler = route(resetPassword, async ({ params, body }, { deps, admin }) => resetToDefaultPassword(deps, admin, params.accountNo, body));
