import { changePassword } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { changeHolderPassword } from '../services/card-lifecycle';

export const handler = route(changePassword, async ({ params, body }, { deps, holder }) => {
  await changeHolderPassword(deps, holder.accountNo, params.kind, body.oldPassword, body.newPassword);
  return { changed: true as const };
});
