import { issueReplacement } from '../../shared/api/admin';
import { route } from '../http/route';
import { issueRequestedReplacement } from '../services/card-replacements';

export const handler = route(issueReplacement, async ({ params, body }, { deps, admin }) => issueRequestedReplacement(deps, admin, params.accountNo, body));
