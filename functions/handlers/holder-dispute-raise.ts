import { raiseDisputeRoute } from '../../shared/api/disputes';
import { route } from '../http/route';
import { raiseDispute } from '../services/disputes';

export const handler = route(raiseDisputeRoute, async ({ body }, { deps, holder }) => raiseDispute(deps, holder.accountNo, body));
