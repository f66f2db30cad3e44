import { posPaymentCode } from '../../shared/api/payment-codes';
import { route } from '../http/route';
import { payWithPaymentCode } from '../services/payment-codes';

export const handler = route(posPaymentCode, async ({ body }, { deps, terminal }) => payWithPaymentCode(deps, terminal, body));
