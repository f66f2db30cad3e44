/**
 * Where a holder's messages go: one interface over WeChat's subscribe messages and Alipay's
 * template messages. What a send proved decides whether it may be tried again: only an answer that
 * says nothing was delivered (the platform busy, the connection never made) is retried, a bounded
 * number of times; a refusal is final, and an unknown end (a timeout after the request went out)
 * is never sent again (at most once).
 */
import type { OutboxEventKind } from '../domain/outbox';
import type { NotificationPlatform } from '../store/notification-prefs';

export interface OutgoingMessage {
  /** WeChat openid / Alipay user id. */
  recipient: string;
  templateId: string;
  /** The mini-program page the message opens. */
  page: string;
  /** `thing1: { value }` ..., already within each field's limit (domain/outbox.ts templateData). */
  data: Record<string, { value: string }>;
}

export type SendResult =
  | { result: 'sent' }
  /** The holder is not subscribed (WeChat 43101) or the platform refused this message for good. */
  | { result: 'refused'; code: string }
  /** The platform answered that nothing was delivered: `retryable` when trying again may work (busy, throttled). */
  | { result: 'not_delivered'; code: string; retryable: boolean }
  /** No answer to a request that went out: it may have been delivered. */
  | { result: 'unknown'; detail: string };

export interface NotificationChannel {
  platform: NotificationPlatform;
  send(message: OutgoingMessage): Promise<SendResult>;
}

export type NotificationChannels = Partial<Record<NotificationPlatform, NotificationChannel>>;

/** The template ids of each platform by event kind (config NOTIFICATION_TEMPLATES; the API serves them to the app). */
export type NotificationTemplates = Partial<Record<NotificationPlatform, Partial<Record<OutboxEventKind, string>>>>;

/** True when fetch failed before the request could have reached the platform (nothing was delivered). */
export function neverSent(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } } | undefined)?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNRESET_BEFORE_SEND';
}
