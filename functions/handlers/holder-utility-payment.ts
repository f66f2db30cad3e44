import { getUtilityPayment } from '../../shared/api/utilities';
import { route } from '../http/route';
import { holderUtilityPayment } from '../services/utilities';

export const handler = route(getUtilityPayment, async ({ params }, { deps, holder }) => holderUtilityPayment(deps, holder.accountNo, params.receiptNo));
