import { unfreeze } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { unfreezeLostCard } from '../services/card-lifecycle';

export const handler = route(unfreeze, async ({ body }, { deps, holder }) => unfreezeLostCard(deps, holder.accountNo, body.queryPassword));
