import { listAuditLog } from '../../shared/api/admin';
import { requireRole } from '../domain/staff';
import { route } from '../http/route';
import { actionLogDay } from '../services/admin/action-log';

export const handler = route(listAuditLog, async ({ query }, { deps, admin }) => {
  requireRole(admin, 'supervisor');
  return actionLogDay(deps, query);
});
