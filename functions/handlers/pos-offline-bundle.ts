import { offlineBundle } from '../../shared/api/pos';
import { route } from '../http/route';
import { buildCompactBundle, buildOfflineBundle } from '../services/offline';

export const handler = route(offlineBundle, async ({ query }, { deps, terminal }) =>
  query.format === '2' ? buildCompactBundle(deps, terminal, query.since) : buildOfflineBundle(deps, terminal),
);
