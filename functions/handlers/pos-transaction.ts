import { posTransaction } from '../../shared/api/pos';
import { route } from '../http/route';
import { lookUpPosTransaction } from '../services/pos-transactions';

export const handler = route(posTransaction, async ({ params }, { deps, terminal }) => lookUpPosTransaction(deps, terminal, params.posTxnId));
