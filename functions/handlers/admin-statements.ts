import { listStatements } from '../../shared/api/settlement';
import { route } from '../http/route';
import { listStatements as statementsOf } from '../services/settlement';

export const handler = route(listStatements, async ({ query }, { deps }) => ({ statements: await statementsOf(deps, query) }));
