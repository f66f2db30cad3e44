import { registerDeviceKey } from '../../shared/api/holder';
import { route } from '../http/route';
import { registerHolderDeviceKey } from '../services/device-keys';

export const handler = route(registerDeviceKey, async ({ body }, { deps, holder }) => registerHolderDeviceKey(deps, holder.accountNo, body));
