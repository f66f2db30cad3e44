import { getCampusPolicy } from '../../shared/api/admin';
import { route } from '../http/route';
import { readCampusPolicy } from '../services/admin/policy';

export const handler = route(getCampusPolicy, async ({ query }, { deps }) => readCampusPolicy(deps, query.include === 'defaults'));
