import { DescribeTableCommand, type DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import type { Db } from './db';

/** The table's status as DynamoDB reports it (throws when unreachable or missing). */
export async function describeTableStatus(db: Db): Promise<string> {
  const send = db.doc.send.bind(db.doc) as unknown as (command: DescribeTableCommand) => Promise<DescribeTableCommandOutput>;
  const output = await send(new DescribeTableCommand({ TableName: db.tableName }));
  return output.Table?.TableStatus ?? 'UNKNOWN';
}
