import { getCampusPolicy } from '../../shared/api/admin';
import { route } from '../http/route';
import { getPolicy } from '../store/policy';

export const handler = route(getCampusPolicy, async (_input, { deps }) => getPolicy(deps.db));
