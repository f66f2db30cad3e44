import { collectFoundCardRoute } from '../../shared/api/lost-found';
import { route } from '../http/route';
import { markFoundCardCollected } from '../services/lost-found';

export const handler = route(collectFoundCardRoute, async ({ params, body }, { deps, admin }) => markFoundCardCollected(deps, admin, params.foundId, body));
