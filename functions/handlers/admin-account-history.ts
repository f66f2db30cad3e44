import { getAccountHistoryRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { accountHistory } from '../services/admin/account-history';

export const handler = route(getAccountHistoryRoute, async ({ params }, { deps }) => accountHistory(deps, params.accountNo));
