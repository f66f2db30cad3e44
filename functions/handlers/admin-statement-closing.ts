import { closeStatementPeriodRoute } from '../../shared/api/settlement';
import { route } from '../http/route';
import { closeStatementPeriod } from '../services/settlement';

export const handler = route(closeStatementPeriodRoute, async ({ body }, { deps, admin }) => closeStatementPeriod(deps, admin, body));
