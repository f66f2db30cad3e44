import { listAuditLog } from '../../shared/api/admin';
import { requireRole } from '../domain/staff';
import { route } from '../http/route';
import { auditDay } from '../services/admin/audit';

export const handler = route(listAuditLog, async ({ query }, { deps, admin }) => {
  requireRole(admin, 'supervisor');
  return auditDay(deps, query);
});
