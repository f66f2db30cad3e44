import { reportLossAtCounterRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { reportLossAtCounter } from '../services/admin/account-console';

export const handler = route(reportLossAtCounterRoute, async ({ params, body }, { deps, admin }) => reportLossAtCounter(deps, admin, params.accountNo, body.reason));
