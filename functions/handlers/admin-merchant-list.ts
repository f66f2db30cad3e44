import { listMerchantsRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { listMerchantViews } from '../services/admin/merchants';

export const handler = route(listMerchantsRoute, async ({ query }, { deps }) => listMerchantViews(deps, query));
