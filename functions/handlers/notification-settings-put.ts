import { updateNotificationSettingsRoute } from '../../shared/api/notifications';
import { route } from '../http/route';
import { notificationTemplatesFromEnvironment } from '../notifications/channels';
import { updateNotificationSettings } from '../services/notifications';

export const handler = route(updateNotificationSettingsRoute, async ({ body }, { deps, holder }) =>
  updateNotificationSettings(
    deps,
    holder.accountNo,
    { ...(body.events ? { events: body.events } : {}), ...(body.lowBalanceFen !== undefined ? { lowBalanceFen: body.lowBalanceFen } : {}) },
    await notificationTemplatesFromEnvironment(deps.config),
  ),
);
