import { getHolderSpending } from '../../shared/api/holder-spending';
import { route } from '../http/route';
import { holderSpending } from '../services/spending';

export const handler = route(getHolderSpending, async ({ query }, { deps, holder }) => holderSpending(deps, holder.accountNo, query.months));
