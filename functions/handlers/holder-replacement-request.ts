import { requestReplacement as requestReplacementRoute } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { requestReplacement } from '../services/card-replacements';

export const handler = route(requestReplacementRoute, async ({ body }, { deps, holder }) => requestReplacement(deps, holder.accountNo, body));
