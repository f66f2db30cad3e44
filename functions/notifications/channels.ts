/**
 * The notification channels and template ids this deployment has, from configuration: WeChat's from
 * WECHAT_LOGIN_CONFIG (the mini-program's app id and secret), Alipay's from ALIPAY_CONFIG, the
 * template ids from NOTIFICATION_TEMPLATES (`{ "wechat": { "payment": "<id>", ... }, "alipay": {...} }`),
 * each inline locally or in the SSM SecureString named by NAME_PARAMETER on AWS.
 */
import type { AlipayConfig } from '../payments/alipay';
import type { WechatLoginConfig } from '../auth/platform-login';
import type { Config } from '../config';
import { readConfigJson } from '../payments/channels';
import type { NotificationChannels, NotificationTemplates } from './channel';
import { createAlipayNotifier } from './alipay';
import { createWechatNotifier } from './wechat';

export async function notificationChannelsFromEnvironment(config: Config, clock?: () => Date, env: NodeJS.ProcessEnv = process.env): Promise<NotificationChannels> {
  const [wechat, alipay] = await Promise.all([readConfigJson<WechatLoginConfig>(config, 'WECHAT_LOGIN_CONFIG', env), readConfigJson<AlipayConfig>(config, 'ALIPAY_CONFIG', env)]);
  return {
    ...(wechat ? { wechat: createWechatNotifier(wechat, clock) } : {}),
    ...(alipay ? { alipay: createAlipayNotifier(alipay, clock) } : {}),
  };
}

export async function notificationTemplatesFromEnvironment(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<NotificationTemplates> {
  return (await readConfigJson<NotificationTemplates>(config, 'NOTIFICATION_TEMPLATES', env)) ?? {};
}
