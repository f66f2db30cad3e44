import { bankTransfer } from '../../shared/api/pos';
import { route } from '../http/route';
import { transferFromBank } from '../services/bank-transfers';
import { requireTerminalKind } from '../services/kiosk';

export const handler = route(bankTransfer, async ({ body }, { deps, terminal }) => {
  requireTerminalKind(terminal, 'kiosk');
  return transferFromBank(deps, terminal, body);
});
