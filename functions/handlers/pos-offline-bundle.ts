import { offlineBundle } from '../../shared/api/pos';
import { route } from '../http/route';
import { buildOfflineBundle } from '../services/offline';

export const handler = route(offlineBundle, async (_input, { deps, terminal }) => buildOfflineBundle(deps, terminal));
