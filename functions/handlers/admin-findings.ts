import { listReconciliationFindings } from '../../shared/api/admin';
import { route } from '../http/route';
import { openFindings } from '../services/admin/reconciliation-findings';

export const handler = route(listReconciliationFindings, async ({ query }, { deps }) => openFindings(deps, query));
