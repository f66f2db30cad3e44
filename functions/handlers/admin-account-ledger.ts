import { listAccountLedgerRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { accountLedger } from '../services/admin/account-console';

export const handler = route(listAccountLedgerRoute, async ({ params, query }, { deps }) => accountLedger(deps, params.accountNo, query));
