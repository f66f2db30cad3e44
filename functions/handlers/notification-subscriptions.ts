import { recordNotificationSubscriptionRoute } from '../../shared/api/notifications';
import { route } from '../http/route';
import { notificationTemplatesFromEnvironment } from '../notifications/channels';
import { recordSubscription } from '../services/notifications';

export const handler = route(recordNotificationSubscriptionRoute, async ({ body }, { deps, holder }) =>
  recordSubscription(deps, holder.accountNo, body, await notificationTemplatesFromEnvironment(deps.config)),
);
