import { disableStaffRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { disableStaffMember } from '../services/admin/sessions';

export const handler = route(disableStaffRoute, async ({ params, body }, { deps, admin }) => disableStaffMember(deps, admin, params.username, body.reason));
