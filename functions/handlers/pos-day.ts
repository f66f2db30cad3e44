import { posDay } from '../../shared/api/kiosk';
import { route } from '../http/route';
import { terminalDay } from '../services/pos-day';

export const handler = route(posDay, async (_input, { deps, terminal }) => terminalDay(deps, terminal));
