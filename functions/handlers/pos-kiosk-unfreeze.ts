import { kioskUnfreeze } from '../../shared/api/kiosk';
import { route } from '../http/route';
import { unfreezeAtKiosk } from '../services/kiosk';

export const handler = route(kioskUnfreeze, async ({ body }, { deps, terminal }) => unfreezeAtKiosk(deps, terminal, body));
