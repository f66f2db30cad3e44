import { searchAccountsRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { searchAccounts } from '../services/admin/account-search';

export const handler = route(searchAccountsRoute, async ({ query }, { deps }) => searchAccounts(deps, query.query));
