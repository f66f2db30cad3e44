import { createAdminSession } from '../../shared/api/admin';
import { route } from '../http/route';
import { signInStaff } from '../services/admin/sessions';

export const handler = route(createAdminSession, async ({ body }, { deps }) => signInStaff(deps, body.username, body.password));
