import { getHolderDisputeRoute } from '../../shared/api/disputes';
import { route } from '../http/route';
import { holderDisputeOf } from '../services/disputes';

export const handler = route(getHolderDisputeRoute, async ({ params }, { deps, holder }) => holderDisputeOf(deps, holder.accountNo, params.receiptNo));
