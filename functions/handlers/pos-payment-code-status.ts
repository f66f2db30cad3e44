import { getPosPaymentCode } from '../../shared/api/payment-codes';
import { route } from '../http/route';
import { paymentCodeStatus } from '../services/payment-codes';

export const handler = route(getPosPaymentCode, async ({ params }, { deps, terminal }) => paymentCodeStatus(deps, terminal, params.posTxnId));
