import { posRefundRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { refundAtTerminal } from '../services/refunds';

export const handler = route(posRefundRoute, async ({ body }, { deps, terminal }) => refundAtTerminal(deps, terminal, body));
