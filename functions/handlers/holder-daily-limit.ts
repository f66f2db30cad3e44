import { setDailyLimit } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { changeDailyLimit } from '../services/card-lifecycle';

export const handler = route(setDailyLimit, async ({ body }, { deps, holder }) => changeDailyLimit(deps, holder.accountNo, body.dailyLimitFen, body.consumptionPassword));
