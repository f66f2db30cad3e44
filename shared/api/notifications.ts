/** A holder's notifications: preferences, the low-balance threshold, and the subscriptions accepted on WeChat or Alipay (docs/notifications.md). */
import * as z from 'zod';
import { amountFen } from '../money';
import { defineRoute } from './contract';

/** The kinds a holder can be told of (functions/domain/outbox.ts OUTBOX_EVENT_KINDS). */
export const NOTIFICATION_KINDS = ['payment', 'topup', 'low_balance', 'loss', 'unfreeze', 'lost_card_tapped', 'card_found', 'auto_reload_refused'] as const;
export const notificationKind = z.enum(NOTIFICATION_KINDS);
export const notificationPlatform = z.enum(['wechat', 'alipay']);

const templateIds = z.partialRecord(notificationKind, z.string());

export const notificationSettings = z
  .object({
    channel: notificationPlatform.nullable().describe('Where messages go: the platform the holder subscribed on; null before any subscription (H5 has none)'),
    events: z.record(notificationKind, z.boolean()).describe('Each kind on or off (all on until turned off)'),
    lowBalanceFen: amountFen.nullable().describe('A payment that takes the balance below this tells the holder (once per crossing); null: never'),
    subscribed: z.array(notificationKind).describe('Kinds whose message template the holder accepted on the platform'),
    templates: z.object({ wechat: templateIds.optional(), alipay: templateIds.optional() }).describe('Template ids per platform and kind: what the app asks the holder to accept'),
  })
  .meta({ id: 'NotificationSettings' });

export const getNotificationSettingsRoute = defineRoute({
  operationId: 'getNotificationSettings',
  method: 'GET',
  path: '/v1/holder/notifications',
  auth: 'holder',
  summary: 'The holder’s notification settings and the template ids to subscribe to',
  tags: ['holder', 'notifications'],
  response: notificationSettings,
  errors: ['ACCOUNT_NOT_FOUND'],
});

export const updateNotificationSettingsBody = z
  .strictObject({
    events: z.partialRecord(notificationKind, z.boolean()).optional(),
    lowBalanceFen: amountFen.nullable().optional(),
  })
  .meta({ id: 'UpdateNotificationSettingsRequest' });

export const updateNotificationSettingsRoute = defineRoute({
  operationId: 'updateNotificationSettings',
  method: 'PUT',
  path: '/v1/holder/notifications',
  auth: 'holder',
  summary: 'Turn kinds of notification on or off and set (or clear) the low-balance threshold',
  tags: ['holder', 'notifications'],
  body: updateNotificationSettingsBody,
  response: notificationSettings,
  errors: ['ACCOUNT_NOT_FOUND', 'BUSY_RETRY'],
});

export const notificationSubscriptionBody = z
  .strictObject({
    platform: notificationPlatform,
    platformUserId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, { error: 'an openid or Alipay user id' }),
    accepted: z.array(z.string().min(1).max(128)).max(10),
    rejected: z.array(z.string().min(1).max(128)).max(10).default([]),
  })
  .meta({ id: 'NotificationSubscriptionRequest' });

export const recordNotificationSubscriptionRoute = defineRoute({
  operationId: 'recordNotificationSubscription',
  method: 'POST',
  path: '/v1/holder/notifications/subscriptions',
  auth: 'holder',
  summary: 'What the holder accepted in the platform’s subscription dialog (wx.requestSubscribeMessage / my.requestSubscribeMessage)',
  tags: ['holder', 'notifications'],
  body: notificationSubscriptionBody,
  response: notificationSettings,
  errors: ['NOTIFY_IDENTITY_NOT_BOUND', 'NOTIFY_TEMPLATE_UNKNOWN', 'ACCOUNT_NOT_FOUND'],
});
