import { kioskReportLoss } from '../../shared/api/kiosk';
import { route } from '../http/route';
import { reportLossAtKiosk } from '../services/kiosk';

export const handler = route(kioskReportLoss, async ({ body }, { deps, terminal }) => reportLossAtKiosk(deps, terminal, body));
