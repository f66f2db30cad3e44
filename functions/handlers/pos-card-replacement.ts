import { kioskReplacement } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { replaceCardAtKiosk } from '../services/card-lifecycle';

export const handler = route(kioskReplacement, async ({ body }, { deps, terminal }) => replaceCardAtKiosk(deps, terminal, body));
