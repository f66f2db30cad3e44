import { putCampusPolicy } from '../../shared/api/admin';
import { route } from '../http/route';
import { updateCampusPolicy } from '../services/admin/policy';

export const handler = route(putCampusPolicy, async ({ body }, { deps, admin }) => updateCampusPolicy(deps, admin, body));
