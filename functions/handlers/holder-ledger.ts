import { listHolderLedger } from '../../shared/api/holder';
import { route } from '../http/route';
import { holderHistory } from '../services/holder-views';

export const handler = route(listHolderLedger, async ({ query }, { deps, holder }) => holderHistory(deps, holder.accountNo, query));
