import { listMerchantTerminalsRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { listTerminalViews } from '../services/admin/merchants';

export const handler = route(listMerchantTerminalsRoute, async ({ params }, { deps }) => listTerminalViews(deps, params.merchantId));
