import { getMerchantRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { getMerchantView } from '../services/admin/merchants';

export const handler = route(getMerchantRoute, async ({ params }, { deps }) => getMerchantView(deps, params.merchantId));
