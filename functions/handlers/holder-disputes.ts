import { listHolderDisputesRoute } from '../../shared/api/disputes';
import { route } from '../http/route';
import { holderDisputes } from '../services/disputes';

export const handler = route(listHolderDisputesRoute, async ({ query }, { deps, holder }) => holderDisputes(deps, holder.accountNo, query.limit));
