import { getLostCardTaps } from '../../shared/api/lost-found';
import { route } from '../http/route';
import { lostCardTapsOf } from '../services/lost-found';

export const handler = route(getLostCardTaps, async (_request, { deps, holder }) => lostCardTapsOf(deps, holder.accountNo));
