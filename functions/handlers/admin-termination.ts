import { terminateAccount } from '../../shared/api/admin';
import { route } from '../http/route';
import { terminateByCardCentre } from '../services/admin/money';

export const handler = route(terminateAccount, async ({ params, body }, { deps, admin }) => terminateByCardCentre(deps, admin, params.accountNo, body));
