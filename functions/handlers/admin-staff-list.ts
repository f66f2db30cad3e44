import { listStaffRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { listStaffMembers } from '../services/admin/sessions';

export const handler = route(listStaffRoute, async (_input, { deps }) => listStaffMembers(deps));
