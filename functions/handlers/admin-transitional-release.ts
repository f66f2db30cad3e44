import { releaseTransitional } from '../../shared/api/admin';
import { route } from '../http/route';
import { releaseTransitionalByCardCentre } from '../services/admin/transitional-release';

export const handler = route(releaseTransitional, async ({ params, body }, { deps, admin }) => releaseTransitionalByCardCentre(deps, admin, params.accountNo, body));
