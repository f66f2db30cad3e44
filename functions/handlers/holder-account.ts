import { getHolderAccount } from '../../shared/api/holder';
import { route } from '../http/route';
import { holderAccountView } from '../services/holder-views';

export const handler = route(getHolderAccount, async (_input, { deps, holder }) => holderAccountView(deps, holder.accountNo));
