import { payStatement } from '../../shared/api/settlement';
import { route } from '../http/route';
import { payStatement as markPaid } from '../services/settlement';

export const handler = route(payStatement, async ({ params, body }, { deps, admin }) => markPaid(deps, admin, params.statementId, body));
