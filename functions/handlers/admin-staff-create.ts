import { createStaffRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { createStaffByAdministrator } from '../services/admin/sessions';

export const handler = route(createStaffRoute, async ({ body }, { deps, admin }) => createStaffByAdministrator(deps, admin, body));
