import { getUtilities } from '../../shared/api/utilities';
import { route } from '../http/route';
import { utilitiesView } from '../services/utilities';

export const handler = route(getUtilities, async (_input, { deps, holder }) => utilitiesView(deps, holder.accountNo));
