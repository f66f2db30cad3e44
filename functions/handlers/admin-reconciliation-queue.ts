import { getReconciliationQueueRoute } from '../../shared/api/console';
import { route } from '../http/route';
import { reconciliationQueue } from '../services/admin/reconciliation-queue';

export const handler = route(getReconciliationQueueRoute, async ({ query }, { deps }) => reconciliationQueue(deps, query));
