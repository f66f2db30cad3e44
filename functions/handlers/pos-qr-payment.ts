import { qrPayment } from '../../shared/api/pos';
import { route } from '../http/route';
import { payByQr } from '../services/qr-payment';

export const handler = route(qrPayment, async ({ body }, { deps, terminal }) => payByQr(deps, terminal, body));
