import { identityScan } from '../../shared/api/pos';
import { route } from '../http/route';
import { scanIdentity } from '../services/qr-payment';

export const handler = route(identityScan, async ({ body }, { deps, terminal }) => scanIdentity(deps, terminal, body));
