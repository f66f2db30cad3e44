import { getGuardianDeposit } from '../../shared/api/guardian';
import { route } from '../http/route';
import { guardianDeposit } from '../services/guardian-deposits';

export const handler = route(getGuardianDeposit, async ({ params }, { deps }) => guardianDeposit(deps, params.orderId));
