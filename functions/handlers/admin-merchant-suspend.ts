import { suspendMerchantRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { setMerchantStatus } from '../services/admin/merchants';

export const handler = route(suspendMerchantRoute, async ({ params, body }, { deps, admin }) => setMerchantStatus(deps, admin, params.merchantId, 'suspended', body.reason));
