import { holderReportFoundCard } from '../../shared/api/lost-found';
import { route } from '../http/route';
import { reportFoundCard } from '../services/lost-found';

export const handler = route(holderReportFoundCard, async ({ body }, { deps, holder }) => reportFoundCard(deps, { via: 'app', accountNo: holder.accountNo }, body.cardNumber));
