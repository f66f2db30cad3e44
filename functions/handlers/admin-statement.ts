import { getStatement } from '../../shared/api/settlement';
import { route } from '../http/route';
import { readStatement } from '../services/settlement';

export const handler = route(getStatement, async ({ params }, { deps }) => readStatement(deps, params.statementId));
