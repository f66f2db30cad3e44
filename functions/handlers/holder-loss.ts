import { reportLoss as reportLossRoute } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { reportLoss } from '../services/card-lifecycle';

export const handler = route(reportLossRoute, async ({ body }, { deps, holder }) => reportLoss(deps, holder.accountNo, body.queryPassword));
