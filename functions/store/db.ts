/** The DynamoDB connection every store module uses. The only place a client is made. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config';
import { installFaultInjection } from './fault-injection';

/** The document client's `send`, narrowed so tests can wrap it to inject faults. */
export type DocSend = Pick<DynamoDBDocumentClient, 'send'>;

export interface Db {
  doc: DocSend;
  tableName: string;
}

export function createDocumentClient(config: Config): DynamoDBDocumentClient {
  const local = config.dynamodbEndpoint !== undefined;
  const client = new DynamoDBClient({
    region: config.region,
    ...(local
      ? { endpoint: config.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    // Fail fast when DynamoDB is unreachable: a POS waiting 30 s helps nobody.
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
    maxAttempts: 3,
  });
  // The crash harness's faults (bench/chaos/): nothing unless CHAOS_DYNAMODB_FAULT_RATE is set.
  installFaultInjection(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** True when an error means the database (or its table) cannot be reached, as opposed to a refusal. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  return (
    error.name === 'ResourceNotFoundException' ||
    error.name === 'TimeoutError' ||
    error.name === 'ServiceUnavailable' ||
    error.name === 'InternalServerError' ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code ?? '')
  );
}

/** Every item a query matches, following its pages. */
export async function queryAll<T>(db: Db, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    items.push(...((page.Items ?? []) as T[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The one item an exact gsi1 key names (student id → account, receipt → ledger entry), if any. */
export async function findByGsi1<T>(db: Db, index: { gsi1pk: string; gsi1sk: string }): Promise<T | undefined> {
  const { Items } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': index.gsi1pk, ':sk': index.gsi1sk },
    }),
  );
  return Items?.[0] as T | undefined;
}
