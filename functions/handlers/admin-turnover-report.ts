import { getTurnoverReportRoute } from '../../shared/api/settlement';
import { route } from '../http/route';
import { turnoverReport } from '../services/settlement';

export const handler = route(getTurnoverReportRoute, async ({ query }, { deps }) => turnoverReport(deps, query.from, query.to));
