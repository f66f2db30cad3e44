import { confirmCardLoad } from '../../shared/api/pos';
import { route } from '../http/route';
import { confirmCardLoad as confirm } from '../services/card-loads';

export const handler = route(confirmCardLoad, async ({ params, body }, { deps, terminal }) => confirm(deps, terminal, { loadId: params.loadId, ...body }));
