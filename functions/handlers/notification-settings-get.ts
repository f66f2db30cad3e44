import { getNotificationSettingsRoute } from '../../shared/api/notifications';
import { route } from '../http/route';
import { notificationTemplatesFromEnvironment } from '../notifications/channels';
import { getNotificationSettings } from '../services/notifications';

export const handler = route(getNotificationSettingsRoute, async (_input, { deps, holder }) =>
  getNotificationSettings(deps, holder.accountNo, await notificationTemplatesFromEnvironment(deps.config)),
);
