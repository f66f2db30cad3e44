import { getHolderLedgerEntry } from '../../shared/api/holder';
import { route } from '../http/route';
import { holderEntry } from '../services/holder-views';

export const handler = route(getHolderLedgerEntry, async ({ params }, { deps, holder }) => holderEntry(deps, holder.accountNo, params.receiptNo));
