import { kioskChangePassword } from '../../shared/api/kiosk';
import { route } from '../http/route';
import { changePasswordAtKiosk } from '../services/kiosk';

export const handler = route(kioskChangePassword, async ({ body, params }, { deps, terminal }) => changePasswordAtKiosk(deps, terminal, params.kind, body));
