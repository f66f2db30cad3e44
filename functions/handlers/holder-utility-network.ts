import { payNetworkFee } from '../../shared/api/utilities';
import { route } from '../http/route';
import { payNetworkFee as pay } from '../services/utilities';

export const handler = route(payNetworkFee, async ({ body }, { deps, holder }) => pay(deps, holder.accountNo, body));
