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

/** CloudFormation table properties → CreateTable input. PITR and SSE are AWS-side settings DynamoDB Local ignores. */
export function createTableInput(table: TableResource): CreateTableCommandInput {
  const p = table.properties as Record<string, any>;
  return {
    TableName: p.TableName,
    AttributeDefinitions: p.AttributeDefinitions,
    KeySchema: p.KeySchema,
    BillingMode: p.BillingMode,
    ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
    ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
    ...(p.ProvisionedThroughput ? { ProvisionedThroughput: p.ProvisionedThroughput } : {}),
  };
}

/** Creates each table that does not exist yet (and its TTL setting); existing tables are left as they are. */
export async function ensureTables(client: DynamoDBClient, tables: TableResource[]): Promise<string[]> {
  const created: string[] = [];
  for (const table of tables) {
    const input = createTableInput(table);
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
