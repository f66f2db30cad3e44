import { listReplacementRequests } from '../../shared/api/admin';
import { route } from '../http/route';
import { openReplacementRequests } from '../services/card-replacements';

export const handler = route(listReplacementRequests, async (_request, { deps }) => openReplacementRequests(deps));
