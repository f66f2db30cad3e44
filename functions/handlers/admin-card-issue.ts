import { issuePhysicalCard } from '../../shared/api/admin';
import { route } from '../http/route';
import { issuePhysicalCard as issueCardAtCounter } from '../services/admin/accounts';

export const handler = route(issuePhysicalCard, async ({ params, body }, { deps, admin }) => issueCardAtCounter(deps, admin, params.accountNo, body));
