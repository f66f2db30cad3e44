import { updateMerchantRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { updateMerchant } from '../services/admin/merchants';

export const handler = route(updateMerchantRoute, async ({ params, body }, { deps, admin }) => updateMerchant(deps, admin, params.merchantId, body));
