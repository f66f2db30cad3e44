import { adjustBalance } from '../../shared/api/admin';
import { route } from '../http/route';
import { adjustByCardCentre } from '../services/admin/money';

export const handler = route(adjustBalance, async ({ params, body }, { deps, admin }) => adjustByCardCentre(deps, admin, params.accountNo, body));
