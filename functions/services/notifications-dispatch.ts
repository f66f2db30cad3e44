/**
 * The outbox dispatcher: every event of an outbox item goes to each subscriber that wants its kind,
 * at most once. The (event, subscriber) is claimed with a conditional write before anything is
 * done; the outcome is written on the claim afterwards. A stream that delivers a record twice, or
 * two dispatchers at once, find the claim taken and do nothing; a dispatcher that dies mid-send
 * leaves the claim `claimed`, which is never retried blindly (a person looks at it).
 *
 * The money path never waits for this: it only wrote the outbox item. On AWS the table's stream
 * invokes handlers/outbox-stream.ts; locally functions/local/outbox-stream-poller.ts feeds the same
 * handler from DynamoDB Local's stream.
 */
import type { Deps } from '../deps';
import type { DeliveryOutcome, OutboxEvent, OutboxRecord, OutboxSubscriber } from '../domain/outbox';
import { claimDelivery, recordDelivery } from '../store/outbox';

export type DispatchDeps = Pick<Deps, 'db' | 'clock' | 'logger'>;

export type DispatchResult = { eventId: string; subscriber: string } & ({ claimed: false } | { claimed: true; outcome: DeliveryOutcome });

export async function dispatchOutboxRecord(deps: DispatchDeps, record: OutboxRecord, subscribers: readonly OutboxSubscriber[]): Promise<DispatchResult[]> {
  const results: DispatchResult[] = [];
  for (const event of record.events) {
    for (const subscriber of subscribers) {
      if (subscriber.kinds.includes(event.kind)) results.push(await deliverOnce(deps, subscriber, event));
    }
  }
  return results;
}

async function deliverOnce(deps: DispatchDeps, subscriber: OutboxSubscriber, event: OutboxEvent): Promise<DispatchResult> {
  const ids = { eventId: event.eventId, subscriber: subscriber.name };
  // A failure to claim (DynamoDB unreachable) is thrown: nothing was done, so the stream may deliver the record again.
  if (!(await claimDelivery(deps.db, event, subscriber.name, deps.clock()))) return { ...ids, claimed: false };
  let outcome: DeliveryOutcome;
  try {
    outcome = await subscriber.deliver(event);
  } catch (error) {
    // After the claim an error is an outcome, never a reason to deliver again.
    outcome = { status: 'failed', detail: `error: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    await recordDelivery(deps.db, event.eventId, subscriber.name, outcome, deps.clock());
  } catch (error) {
    deps.logger.warn('outbox delivery outcome not recorded (stays claimed)', { ...ids, status: outcome.status, error: String(error) });
  }
  if (outcome.status === 'failed') deps.logger.warn('outbox delivery failed', { ...ids, detail: outcome.detail });
  return { ...ids, claimed: true, outcome };
}
