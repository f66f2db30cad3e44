/**
 * Holder notifications: the preferences the app shows and changes, the subscriptions the holder
 * accepted on WeChat or Alipay, and the outbox subscriber that sends the messages
 * (docs/notifications.md).
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import type { Account } from '../domain/account';
import { messagePage, OUTBOX_EVENT_KINDS, templateData, type DeliveryOutcome, type OutboxEvent, type OutboxEventKind, type OutboxSubscriber } from '../domain/outbox';
import type { NotificationChannels, NotificationTemplates, OutgoingMessage } from '../notifications/channel';
import { getAccount } from '../store/accounts';
import { accountOfIdentity } from '../store/identities';
import { getNotificationPrefs, recordSubscriptions, setKindsOff, setLowBalanceAlert, unsubscribe, type NotificationPlatform } from '../store/notification-prefs';
import { getMerchant, getTerminal } from '../store/terminals';
import { withVersionRetry } from '../store/version-retry';

export interface NotificationSettings {
  /** Where messages go: the platform the holder subscribed on; null before any subscription (H5 has none). */
  channel: NotificationPlatform | null;
  events: Record<OutboxEventKind, boolean>;
  lowBalanceFen: number | null;
  subscribed: OutboxEventKind[];
  templates: NotificationTemplates;
}

export async function getNotificationSettings(deps: Pick<Deps, 'db'>, accountNo: string, templates: NotificationTemplates): Promise<NotificationSettings> {
  const [prefs, account] = await Promise.all([getNotificationPrefs(deps.db, accountNo), getAccount(deps.db, accountNo)]);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  return {
    channel: prefs.recipient?.platform ?? null,
    events: Object.fromEntries(OUTBOX_EVENT_KINDS.map((kind) => [kind, !prefs.off.includes(kind)])) as Record<OutboxEventKind, boolean>,
    lowBalanceFen: account.lowBalanceAlertFen ?? null,
    subscribed: prefs.subscribed,
    templates,
  };
}

export async function updateNotificationSettings(
  deps: Pick<Deps, 'db' | 'clock'>,
  accountNo: string,
  change: { events?: Partial<Record<OutboxEventKind, boolean>>; lowBalanceFen?: number | null },
  templates: NotificationTemplates,
): Promise<NotificationSettings> {
  if (change.lowBalanceFen !== undefined) {
    const threshold = change.lowBalanceFen ?? undefined;
    await withVersionRetry(
      async () => {
        const account = await getAccount(deps.db, accountNo);
        if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
        return account;
      },
      async (account: Account) => (account.lowBalanceAlertFen === threshold ? true : setLowBalanceAlert(deps.db, account, threshold)),
      { what: `account ${accountNo}` },
    );
  }
  if (change.events) {
    const prefs = await getNotificationPrefs(deps.db, accountNo);
    const off = new Set(prefs.off);
    for (const [kind, on] of Object.entries(change.events) as [OutboxEventKind, boolean][]) {
      if (on) off.delete(kind);
      else off.add(kind);
    }
    await setKindsOff(deps.db, accountNo, [...off], deps.clock());
  }
  return getNotificationSettings(deps, accountNo, templates);
}

/**
 * What the holder answered in the platform's subscription dialog (template ids accepted / refused).
 * The identity must be the one bound to this account (IDENTITY#<platform>#<id>): a holder cannot
 * have another person's WeChat receive their messages, nor theirs sent to someone else.
 */
export async function recordSubscription(
  deps: Pick<Deps, 'db' | 'clock'>,
  accountNo: string,
  request: { platform: NotificationPlatform; platformUserId: string; accepted: string[]; rejected: string[] },
  templates: NotificationTemplates,
): Promise<NotificationSettings> {
  const byTemplate = new Map(Object.entries(templates[request.platform] ?? {}).map(([kind, id]) => [id, kind as OutboxEventKind]));
  const kindsOf = (ids: string[]) =>
    ids.map((id) => {
      const kind = byTemplate.get(id);
      if (!kind) throw new AppError('NOTIFY_TEMPLATE_UNKNOWN', `${request.platform} template ${id}`);
      return kind;
    });
  const accepted = kindsOf(request.accepted);
  const rejected = kindsOf(request.rejected).filter((kind) => !accepted.includes(kind));
  const bound = await accountOfIdentity(deps.db, request.platform, request.platformUserId);
  if (bound !== accountNo) throw new AppError('NOTIFY_IDENTITY_NOT_BOUND', `${request.platform} user is bound to ${bound ?? 'nothing'}, not ${accountNo}`);
  await recordSubscriptions(deps.db, accountNo, { platform: request.platform, userId: request.platformUserId }, accepted, rejected, deps.clock());
  return getNotificationSettings(deps, accountNo, templates);
}

export interface NotificationSubscriberOptions {
  channels: () => Promise<NotificationChannels>;
  templates: () => Promise<NotificationTemplates>;
  /** Tries of a send the platform proved undelivered (busy, no connection); default 3. */
  maxAttempts?: number;
  /** Pause before the second try, doubled each time; default 200 ms. */
  backoffMs?: number;
}

export const NOTIFICATION_SUBSCRIBER = 'notify';

/** The outbox subscriber that tells the holder, as their preferences say, on the platform they subscribed on. */
export function notificationSubscriber(deps: Pick<Deps, 'db'>, options: NotificationSubscriberOptions): OutboxSubscriber {
  const maxAttempts = options.maxAttempts ?? 3;
  const backoffMs = options.backoffMs ?? 200;
  return {
    name: NOTIFICATION_SUBSCRIBER,
    kinds: OUTBOX_EVENT_KINDS,
    async deliver(event: OutboxEvent): Promise<DeliveryOutcome> {
      const prefs = await getNotificationPrefs(deps.db, event.accountNo);
      if (prefs.off.includes(event.kind)) return { status: 'skipped', detail: 'preference_off' };
      if (!prefs.recipient) return { status: 'skipped', detail: 'no_channel' };
      if (!prefs.subscribed.includes(event.kind)) return { status: 'skipped', detail: 'not_subscribed' };
      const channel = (await options.channels())[prefs.recipient.platform];
      const templateId = (await options.templates())[prefs.recipient.platform]?.[event.kind];
      if (!channel || !templateId) return { status: 'skipped', detail: `no ${prefs.recipient.platform} channel or template` };
      const message: OutgoingMessage = { recipient: prefs.recipient.userId, templateId, page: messagePage(event), data: templateData(event, await placeOf(deps, event)) };
      for (let attempt = 1; ; attempt++) {
        const sent = await channel.send(message);
        switch (sent.result) {
          case 'sent':
            return { status: 'sent', attempts: attempt };
          case 'refused':
            // Not subscribed (any more): recorded, and nothing of this kind is tried until the holder accepts again.
            await unsubscribe(deps.db, event.accountNo, [event.kind]);
            return { status: 'refused', detail: sent.code, attempts: attempt };
          case 'unknown':
            return { status: 'failed', detail: `unknown: ${sent.detail}`, attempts: attempt };
          case 'not_delivered':
            if (!sent.retryable || attempt >= maxAttempts) return { status: 'failed', detail: `not delivered: ${sent.code}`, attempts: attempt };
            await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
        }
      }
    },
  };
}

/** The merchant's name (or the terminal's place) a payment names, read here so the money path never reads it. */
async function placeOf(deps: Pick<Deps, 'db'>, event: OutboxEvent): Promise<string | undefined> {
  if (event.kind !== 'payment') return undefined;
  const merchant = event.merchantId ? await getMerchant(deps.db, event.merchantId) : undefined;
  if (merchant?.name) return merchant.name;
  const terminal = event.terminalId ? await getTerminal(deps.db, event.terminalId) : undefined;
  return terminal?.place;
}
