import { adminRefundRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { refundByCardCentre } from '../services/refunds';

export const handler = route(adminRefundRoute, async ({ body }, { deps, admin }) => refundByCardCentre(deps, admin, body));
