import { uploadWaterUsageRoute } from '../../shared/api/water';
import { route } from '../http/route';
import { uploadWaterUsage } from '../services/small-wallet';

export const handler = route(uploadWaterUsageRoute, async ({ body }, { deps, terminal }) => ({ results: await uploadWaterUsage(deps, terminal, body.records) }));
