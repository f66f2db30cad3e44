import { kioskReportFoundCard } from '../../shared/api/lost-found';
import { route } from '../http/route';
import { requireTerminalKind } from '../services/kiosk';
import { reportFoundCard } from '../services/lost-found';

export const handler = route(kioskReportFoundCard, async ({ body }, { deps, terminal }) => {
  requireTerminalKind(terminal, 'kiosk');
  return reportFoundCard(deps, { via: 'kiosk', terminal }, body.cardNumber);
});
