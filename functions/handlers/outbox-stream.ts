/**
 * The outbox dispatcher on AWS: the table's stream (serverless.yml: NEW_IMAGE, filtered to inserted
 * OUTBOX items) invokes this with a batch; locally functions/local/outbox-stream-poller.ts calls the
 * same handler with DynamoDB Local's stream records. A record whose claims could not even be
 * written is reported as a batch item failure, so the stream delivers it again (the claims make
 * that safe); anything after a claim is an outcome and is never retried from here.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { getDeps, once, type Deps } from '../deps';
import type { OutboxRecord, OutboxSubscriber } from '../domain/outbox';
import { dispatchOutboxRecord } from '../services/notifications-dispatch';
import { notificationSubscriber } from '../services/notifications';
import { autoReloadSubscriber } from '../services/auto-reload';
import type { NotificationChannels, NotificationTemplates } from '../notifications/channel';

/** Every subscriber of the outbox. A later feature (automatic reload, lost-card taps) adds its own here. */
export function outboxSubscribers(deps: Deps, channels: () => Promise<NotificationChannels>, templates: () => Promise<NotificationTemplates>): OutboxSubscriber[] {
  // Automatic reload acts on low_balance events, claimed apart from the notification of the same event.
  return [notificationSubscriber(deps, { channels, templates }), autoReloadSubscriber(deps)];
}

/** The outbox item a stream record carries, if it is one (the filter already says so on AWS; locally every change arrives). */
export function outboxRecordOf(record: DynamoDBRecord): OutboxRecord | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image || image.sk?.S !== 'OUTBOX' || !image.pk?.S?.startsWith('OUTBOX#')) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>) as Record<string, any>;
  return { sourceId: item.sourceId, accountNo: item.accountNo, createdAt: item.createdAt, events: item.events };
}

export function createOutboxStreamHandler(subscribers: (deps: Deps) => OutboxSubscriber[], deps: () => Deps = getDeps) {
  let made: { deps: Deps; subscribers: OutboxSubscriber[] } | undefined;
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const current = deps();
    if (made?.deps !== current) made = { deps: current, subscribers: subscribers(current) };
    const failures: DynamoDBBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const outbox = outboxRecordOf(record);
      if (!outbox) continue;
      try {
        await dispatchOutboxRecord(current, outbox, made.subscribers);
      } catch (error) {
        current.logger.warn('outbox record not dispatched; the stream will deliver it again', { sourceId: outbox.sourceId, error: String(error) });
        failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
      }
    }
    return { batchItemFailures: failures };
  };
}

export const handler = createOutboxStreamHandler((deps) => {
  const channels = once(async () => (await import('../notifications/channels')).notificationChannelsFromEnvironment(deps.config, deps.clock));
  const templates = once(async () => (await import('../notifications/channels')).notificationTemplatesFromEnvironment(deps.config));
  return outboxSubscribers(deps, channels, templates);
});
