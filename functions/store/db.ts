/** The DynamoDB connection every store module uses. The only place a client is made. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config';

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
