import { bankTransfer } from '../../shared/api/pos';
import { route } from '../http/route';
import { transferFromBank } from '../services/bank-transfers';

export const handler = route(bankTransfer, async ({ body }, { deps, terminal }) => transferFromBank(deps, terminal, body));
