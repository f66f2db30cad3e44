import { getHolderStatement } from '../../shared/api/holder';
import { route } from '../http/route';
import { holderStatement } from '../services/holder-views';

export const handler = route(getHolderStatement, async ({ params }, { deps, holder }) => holderStatement(deps, holder.accountNo, params.month));
