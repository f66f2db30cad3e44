import { resolveReconciliationFinding } from '../../shared/api/admin';
import { route } from '../http/route';
import { resolveFindingByCardCentre } from '../services/admin/reconciliation-findings';

export const handler = route(resolveReconciliationFinding, async ({ params, body }, { deps, admin }) => resolveFindingByCardCentre(deps, admin, params.findingId, body));
