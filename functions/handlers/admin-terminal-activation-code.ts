import { issueActivationCodeRoute } from '../../shared/api/merchants';
import { route } from '../http/route';
import { issueActivationCode } from '../services/admin/merchants';

export const handler = route(issueActivationCodeRoute, async ({ params, body }, { deps, admin }) => issueActivationCode(deps, admin, params.terminalId, body));
