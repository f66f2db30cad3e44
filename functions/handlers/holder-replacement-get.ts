import { getReplacement } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { holderReplacement } from '../services/card-replacements';

export const handler = route(getReplacement, async (_request, { deps, holder }) => holderReplacement(deps, holder.accountNo));
