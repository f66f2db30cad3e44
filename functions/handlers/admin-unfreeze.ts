import { unfreezeAccount } from '../../shared/api/admin';
import { route } from '../http/route';
import { unfreezeByCardCentre } from '../services/admin/account-care';

export const handler = route(unfreezeAccount, async ({ params, body }, { deps, admin }) => unfreezeByCardCentre(deps, admin, params.accountNo, body.reason));
