import { settleWaterSession } from '../../shared/api/water';
import { route } from '../http/route';
import { settleWaterSessionAtTap } from '../services/small-wallet';

export const handler = route(settleWaterSession, async ({ body }, { deps, terminal }) => settleWaterSessionAtTap(deps, terminal, body));
