import { reserveCardLoad } from '../../shared/api/pos';
import { route } from '../http/route';
import { reserveCardLoad as reserve } from '../services/card-loads';

export const handler = route(reserveCardLoad, async ({ body }, { deps, terminal }) => reserve(deps, terminal, body));
