import { listFoundCardsRoute } from '../../shared/api/lost-found';
import { route } from '../http/route';
import { listFoundCards } from '../services/lost-found';

export const handler = route(listFoundCardsRoute, async ({ query }, { deps }) => listFoundCards(deps, query));
