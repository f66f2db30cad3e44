/**
 * Asking the holder to subscribe to messages (docs/notifications.md): WeChat's
 * wx.requestSubscribeMessage (tmplIds) and Alipay's my.requestSubscribeMessage (entityIds), with
 * the template ids the server serves (GET /v1/holder/notifications), never ids of the app's own;
 * what the holder accepted is told to the server. H5 has no subscription at all.
 * Both platforms show at most three templates per dialog, and open it only from a tap (or a payment's
 * callback): the app asks from a button, after a top-up and in settings.
 */
import Taro from '@tarojs/taro';
import type { ApiClient, NotificationSettings } from './api';
import type { Target } from './platform';

export type NotificationKind = keyof NotificationSettings['events'];

/** What the prompt after a top-up asks for: the three that matter day to day. The rest are asked from settings. */
export const ASK_AFTER_TOPUP: readonly NotificationKind[] = ['payment', 'topup', 'low_balance'];
/** Settings asks for every kind, most useful first, at most three a dialog (the platforms' limit). */
export const ASK_ORDER: readonly NotificationKind[] = [...ASK_AFTER_TOPUP, 'loss', 'lost_card_tapped', 'card_found', 'unfreeze', 'auto_reload_refused'];
export const ASK_AT_ONCE = 3;
/** Remembered on the phone once the holder was asked after a top-up, so the prompt is not shown at every top-up. */
export const ASKED_KEY = 'notify.askedAfterTopup';

/** What settings' button asks for next: the first three kinds, in ASK_ORDER, with a template not accepted yet. */
export function nextKindsToAsk(target: Target, settings: NotificationSettings): NotificationKind[] {
  return ASK_ORDER.filter((kind) => templatesToAsk(target, settings, [kind]).length > 0).slice(0, ASK_AT_ONCE);
}

export function platformOf(target: Target): 'wechat' | 'alipay' | undefined {
  return target === 'weapp' ? 'wechat' : target === 'alipay' ? 'alipay' : undefined;
}

/** The template ids of these kinds on this platform that the holder has not accepted yet. */
export function templatesToAsk(target: Target, settings: NotificationSettings, kinds: readonly NotificationKind[]): string[] {
  const platform = platformOf(target);
  if (!platform) return [];
  const ids = settings.templates[platform] ?? {};
  return kinds.filter((kind) => !settings.subscribed.includes(kind) && ids[kind]).map((kind) => ids[kind]!);
}

/** Whether the prompt after a top-up is shown: not on H5, not asked before on this phone, something left to accept. */
export function shouldAskAfterTopup(target: Target, settings: NotificationSettings, askedBefore: boolean): boolean {
  return !askedBefore && templatesToAsk(target, settings, ASK_AFTER_TOPUP).length > 0;
}

type AlipayAnswer = { result?: { subscribeEntityIds?: string[]; unsubscribedEntityIds?: string[] } } & Record<string, unknown>;

/** Opens the platform's dialog; which ids were accepted and which refused. */
export async function requestPlatformSubscription(target: Target, templateIds: string[]): Promise<{ accepted: string[]; rejected: string[] }> {
  if (target === 'weapp') {
    const answer = (await Taro.requestSubscribeMessage({ tmplIds: templateIds, entityIds: templateIds })) as unknown as Record<string, unknown>;
    return { accepted: templateIds.filter((id) => answer[id] === 'accept'), rejected: templateIds.filter((id) => answer[id] !== 'accept') };
  }
  if (target === 'alipay') {
    const my = (globalThis as { my?: { requestSubscribeMessage: (o: { entityIds: string[]; success: (r: AlipayAnswer) => void; fail: (e: unknown) => void }) => void } }).my;
    if (!my) throw new Error('my.requestSubscribeMessage is not available');
    const answer = await new Promise<AlipayAnswer>((resolve, reject) => my.requestSubscribeMessage({ entityIds: templateIds, success: resolve, fail: reject }));
    const accepted = answer.result?.subscribeEntityIds ?? templateIds.filter((id) => answer[id] === 'accept');
    return { accepted, rejected: templateIds.filter((id) => !accepted.includes(id)) };
  }
  throw new Error('no message subscription on H5');
}

/** Asks for these kinds and tells the server what was accepted (as the platform user the holder signed in as). */
export async function subscribe(
  deps: { target: Target; api: Pick<ApiClient, 'recordSubscription'>; payerId: string | undefined },
  settings: NotificationSettings,
  kinds: readonly NotificationKind[],
): Promise<NotificationSettings> {
  const platform = platformOf(deps.target);
  const ids = templatesToAsk(deps.target, settings, kinds);
  if (!platform || !deps.payerId || ids.length === 0) return settings;
  const { accepted, rejected } = await requestPlatformSubscription(deps.target, ids);
  return deps.api.recordSubscription({ platform, platformUserId: deps.payerId, accepted, rejected });
}
