/**
 * The outbox dispatcher locally: DynamoDB Local has the table's stream (serverless.yml
 * StreamSpecification; tables.ts creates it, and turns it on for a table made before it existed), so
 * this polls it the way Lambda's event source mapping does and hands each batch to the same handler
 * (handlers/outbox-stream.ts) Lambda would invoke. The streams API is spoken as JSON over HTTP
 * (DynamoDB Local checks no signature; the SDK's streams client is not a dependency of ours).
 * It starts at the stream's end (LATEST): what `npm start` wrote while it was not running is not
 * sent afterwards, as on AWS a consumer added later starts where it is added.
 */
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export interface OutboxStreamPoller {
  /** One round over every shard now; resolves when the batches it found are handled. How many records it handed over. */
  pollOnce(): Promise<number>;
  /** Polls until a round finds nothing (tests: everything written so far is dispatched). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export interface PollerOptions {
  endpoint: string;
  tableName: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  intervalMs?: number;
  log?: (line: string) => void;
}

interface ShardState {
  iterator: string | undefined;
  /** Records the handler reported failed, given again next round (at most 5 times, as the AWS mapping's retries). */
  retry: DynamoDBRecord[];
  /** Tries so far, by sequence number. */
  tries: Map<string, number>;
}

/** Lambda's own retries for a stream batch (serverless.yml maximumRetryAttempts). */
const MAX_TRIES = 5;

export async function startOutboxStreamPoller(options: PollerOptions): Promise<OutboxStreamPoller> {
  const client = new DynamoDBClient({ endpoint: options.endpoint, region: process.env.AWS_REGION ?? 'ap-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const streamArn = await ensureStream(client, options.tableName);
  const shards = new Map<string, ShardState>();
  let stopped = false;
  let round: Promise<number> | undefined;

  async function streams<T>(target: string, body: unknown): Promise<T> {
    const response = await fetch(options.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDBStreams_20120810.${target}`,
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/ap-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as T & { __type?: string; message?: string };
    if (!response.ok) throw new Error(`streams ${target}: ${answer.__type} ${answer.message ?? ''}`);
    return answer;
  }

  /** New shards since the last look (DynamoDB Local rolls them over too): a shard opened after we started is read from its start. */
  async function discover(initial: boolean): Promise<void> {
    const { StreamDescription } = await streams<{ StreamDescription: { Shards: { ShardId: string }[] } }>('DescribeStream', { StreamArn: streamArn });
    for (const shard of StreamDescription.Shards) {
      if (shards.has(shard.ShardId)) continue;
      const { ShardIterator } = await streams<{ ShardIterator?: string }>('GetShardIterator', { StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: initial ? 'LATEST' : 'TRIM_HORIZON' });
      shards.set(shard.ShardId, { iterator: ShardIterator, retry: [], tries: new Map() });
    }
  }

  async function handle(state: ShardState, records: DynamoDBRecord[]): Promise<void> {
    if (records.length === 0) return;
    const response = await options.handler({ Records: records }).catch((error: unknown) => {
      options.log?.(`outbox dispatch failed: ${String(error)}`);
      return { batchItemFailures: records.map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' })) };
    });
    const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    for (const record of records) {
      const sequence = record.dynamodb?.SequenceNumber ?? '';
      if (!failed.has(sequence)) {
        state.tries.delete(sequence);
        continue;
      }
      const tries = (state.tries.get(sequence) ?? 0) + 1;
      state.tries.set(sequence, tries);
      if (tries < MAX_TRIES) state.retry.push(record);
      else {
        state.tries.delete(sequence);
        options.log?.(`outbox record ${sequence} dropped after ${MAX_TRIES} tries`);
      }
    }
  }

  async function pollRound(): Promise<number> {
    let count = 0;
    for (const [shardId, state] of shards) {
      const retrying = state.retry.splice(0);
      await handle(state, retrying);
      if (!state.iterator) {
        if (state.retry.length === 0) shards.delete(shardId);
        continue;
      }
      const answer = await streams<{ Records: DynamoDBRecord[]; NextShardIterator?: string }>('GetRecords', { ShardIterator: state.iterator, Limit: 100 });
      state.iterator = answer.NextShardIterator;
      count += answer.Records.length + retrying.length;
      await handle(state, answer.Records);
    }
    return count;
  }

  function pollOnce(): Promise<number> {
    // One round at a time: the timer's and a test's drain() share it.
    round ??= pollRound().finally(() => {
      round = undefined;
    });
    return round;
  }

  await discover(true);
  let rounds = 0;
  const timer = setInterval(() => {
    if (stopped || round) return;
    rounds++;
    void (rounds % 40 === 0 ? discover(false) : Promise.resolve())
      .then(() => pollOnce())
      .catch((error: unknown) => options.log?.(`outbox stream poll failed: ${String(error)}`));
  }, options.intervalMs ?? 250);
  timer.unref();

  return {
    pollOnce,
    async drain() {
      for (let i = 0; i < 100; i++) {
        await round;
        if ((await pollOnce()) === 0) return;
      }
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round?.catch(() => undefined);
      client.destroy();
    },
  };
}

/** The table's stream ARN, turning the stream on first for a table created before it was declared (a kept .data/). */
async function ensureStream(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.StreamSpecification?.StreamEnabled && Table.LatestStreamArn) return Table.LatestStreamArn;
  const { TableDescription } = await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
  if (!TableDescription?.LatestStreamArn) throw new Error(`table ${tableName} has no stream after enabling it`);
  return TableDescription.LatestStreamArn;
}
