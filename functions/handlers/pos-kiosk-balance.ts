import { kioskBalanceQuery } from '../../shared/api/kiosk';
import { route } from '../http/route';
import { queryBalanceAtKiosk } from '../services/kiosk';

export const handler = route(kioskBalanceQuery, async ({ body }, { deps, terminal }) => queryBalanceAtKiosk(deps, terminal, body));
