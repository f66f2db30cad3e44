import { issueDeviceKeySeedRoute } from '../../shared/api/holder';
import { route } from '../http/route';
import { newDeviceKeySeed } from '../services/device-keys';

export const handler = route(issueDeviceKeySeedRoute, async () => newDeviceKeySeed());
