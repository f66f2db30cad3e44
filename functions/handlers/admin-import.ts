import { importAccounts } from '../../shared/api/admin';
import { route } from '../http/route';
import { importAccountList } from '../services/admin/imports';

export const handler = route(importAccounts, async ({ body }, { deps, admin }) => importAccountList(deps, admin, body));
