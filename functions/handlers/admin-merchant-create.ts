import { createMerchantRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { createMerchant } from '../services/admin/merchants';

export const handler = route(createMerchantRoute, async ({ body }, { deps, admin }) => createMerchant(deps, admin, body));
