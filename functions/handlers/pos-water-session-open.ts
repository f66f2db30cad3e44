import { openWaterSession } from '../../shared/api/water';
import { route } from '../http/route';
import { openWaterSessionAtTap } from '../services/small-wallet';

export const handler = route(openWaterSession, async ({ body }, { deps, terminal }) => openWaterSessionAtTap(deps, terminal, body));
