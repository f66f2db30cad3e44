import { qrPayment } from '../../shared/api/pos';
import { route } from '../http/route';
import { payByQr } from '../services/qr-payment';

export const handler = route(qrPayment, async ({ body }, { deps, terminal, nonce }) => payByQr(deps, terminal, body, nonce), { nonceSpentByRoute: true });
