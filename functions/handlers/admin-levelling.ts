import { levelAccount } from '../../shared/api/admin';
import { route } from '../http/route';
import { levelByCardCentre } from '../services/levelling';

export const handler = route(levelAccount, async ({ params, body }, { deps, admin }) => levelByCardCentre(deps, admin, params.accountNo, body));
