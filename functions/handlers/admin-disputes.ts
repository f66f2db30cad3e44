import { listDisputesRoute } from '../../shared/api/disputes';
import { route } from '../http/route';
import { disputesToHandle } from '../services/disputes';

export const handler = route(listDisputesRoute, async ({ query }, { deps }) => disputesToHandle(deps, query));
