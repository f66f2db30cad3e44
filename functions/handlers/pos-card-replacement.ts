import { kioskReplacement } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { replaceCardAtKiosk } from '../services/card-lifecycle';
import { requireTerminalKind } from '../services/kiosk';

export const handler = route(kioskReplacement, async ({ body }, { deps, terminal }) => {
  requireTerminalKind(terminal, 'kiosk');
  return replaceCardAtKiosk(deps, terminal, body);
});
