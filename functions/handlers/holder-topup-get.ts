import { getTopup } from '../../shared/api/topups';
import { route } from '../http/route';
import { holderOrder } from '../services/topups';

export const handler = route(getTopup, async ({ params }, { deps, holder }) => holderOrder(deps, holder.accountNo, params.orderId));
