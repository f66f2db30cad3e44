import { offlineUpload } from '../../shared/api/pos';
import { route } from '../http/route';
import { uploadOfflineRecords } from '../services/offline';

export const handler = route(offlineUpload, async ({ body }, { deps, terminal }) => ({ results: await uploadOfflineRecords(deps, terminal, body.records) }));
