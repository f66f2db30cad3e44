import { refundDisputeRoute } from '../../shared/api/disputes';
import { route } from '../http/route';
import { refundDispute } from '../services/disputes';

export const handler = route(refundDisputeRoute, async ({ params, body }, { deps, admin }) => refundDispute(deps, admin, params.receiptNo, body));
