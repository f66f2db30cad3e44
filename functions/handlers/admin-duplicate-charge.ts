import { refundDuplicateChargeRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { refundDuplicateCharge } from '../services/refunds';

export const handler = route(refundDuplicateChargeRoute, async ({ body }, { deps, admin }) => refundDuplicateCharge(deps, admin, body));
