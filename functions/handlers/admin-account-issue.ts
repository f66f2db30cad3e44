import { issueAccount } from '../../shared/api/admin';
import { Reply, route } from '../http/route';
import { issueOneAccount } from '../services/admin/accounts';

export const handler = route(issueAccount, async ({ body }, { deps, admin }) => {
  const issued = await issueOneAccount(deps, admin, body);
  // 201 only when this request opened the account; a person already issued answers 200.
  return issued.outcome === 'created' ? issued : new Reply(200, issued);
});
