import { payElectricity } from '../../shared/api/utilities';
import { route } from '../http/route';
import { payElectricity as pay } from '../services/utilities';

export const handler = route(payElectricity, async ({ body }, { deps, holder }) => pay(deps, holder.accountNo, body));
