import { getDashboardRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { dashboardFigures } from '../services/admin/dashboard';

export const handler = route(getDashboardRoute, async (_input, { deps }) => dashboardFigures(deps));
