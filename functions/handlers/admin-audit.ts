import { listAuditLog } from '../../shared/api/admin';
import { route } from '../http/route';
import { actionLogDay } from '../services/admin/action-log';

export const handler = route(listAuditLog, async ({ query }, { deps }) => actionLogDay(deps, query));
