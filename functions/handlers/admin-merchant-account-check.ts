import { checkSettlementAccountRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { checkSettlementAccount } from '../services/admin/merchants';

export const handler = route(checkSettlementAccountRoute, async ({ params, body }, { deps, admin }) => checkSettlementAccount(deps, admin, params.merchantId, body));
