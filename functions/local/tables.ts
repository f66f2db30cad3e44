/** Creates the tables serverless.yml declares, from its CloudFormation properties (no second copy of the schema). */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { TableResource } from './serverless-config';

/** Whether tables get the stream serverless.yml declares (the outbox dispatcher reads it). */
export interface TableOptions {
  /**
   * Default true, as deployed. A stream makes every write on DynamoDB Local slower, and more so as a run's
   * tables pile up (measured: 2-3× for the write-heavy test files), so tests that do not read it go without.
   */
  streams?: boolean;
}

/** CloudFormation table properties → CreateTable input. PITR and SSE are AWS-side settings DynamoDB Local ignores. */
export function createTableInput(table: TableResource, options: TableOptions = {}): CreateTableCommandInput {
  const p = table.properties as Record<string, any>;
  return {
    TableName: p.TableName,
    AttributeDefinitions: p.AttributeDefinitions,
    KeySchema: p.KeySchema,
    BillingMode: p.BillingMode,
    ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
    ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
    ...(p.ProvisionedThroughput ? { ProvisionedThroughput: p.ProvisionedThroughput } : {}),
    // The outbox dispatcher's stream (locally polled by outbox-stream-poller.ts).
    ...(p.StreamSpecification && options.streams !== false ? { StreamSpecification: { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType } } : {}),
  };
}

/** Creates each table that does not exist yet (and its TTL setting); existing tables are left as they are. */
export async function ensureTables(client: DynamoDBClient, tables: TableResource[], options: TableOptions = {}): Promise<string[]> {
  const created: string[] = [];
  for (const table of tables) {
    const input = createTableInput(table, options);
    try {
      await client.send(new DescribeTableCommand({ TableName: input.TableName }));
      continue;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
    }
    await client.send(new CreateTableCommand(input));
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: input.TableName });
    const ttl = (table.properties as Record<string, any>).TimeToLiveSpecification;
    if (ttl?.Enabled) {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: input.TableName, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }),
      );
    }
    created.push(input.TableName!);
  }
  return created;
}
