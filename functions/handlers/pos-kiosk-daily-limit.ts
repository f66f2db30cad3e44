import { kioskSetDailyLimit } from '../../shared/api/kiosk';
import { route } from '../http/route';
import { setDailyLimitAtKiosk } from '../services/kiosk';

export const handler = route(kioskSetDailyLimit, async ({ body }, { deps, terminal }) => setDailyLimitAtKiosk(deps, terminal, body));
