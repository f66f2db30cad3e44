import { refuseDisputeRoute } from '../../shared/api/disputes';
import { route } from '../http/route';
import { refuseDispute } from '../services/disputes';

export const handler = route(refuseDisputeRoute, async ({ params, body }, { deps, admin }) => refuseDispute(deps, admin, params.receiptNo, body));
