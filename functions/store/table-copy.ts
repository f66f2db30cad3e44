/**
 * A whole table to a file and back (the restore rehearsal, docs/operations.md): a parallel Scan to
 * JSON Lines in DynamoDB JSON, one `{"Item": {...}}` a line as DynamoDB's own export to S3 writes it,
 * and BatchWriteItem of those lines into another table. Typed attribute values (not the document
 * client's plain objects), so numbers, sets and binaries come back exactly as they were.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { BatchWriteItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface RawTable {
  client: DynamoDBClient;
  tableName: string;
}

/** Scans `table` (consistent reads, `segments` at once) into `file`; answers how many items were written. */
export async function exportTable(table: RawTable, file: string, options: { segments?: number } = {}): Promise<number> {
  const segments = options.segments ?? 4;
  const out = createWriteStream(file, { encoding: 'utf8' });
  let items = 0;
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await table.client.send(
          new ScanCommand({ TableName: table.tableName, Segment: segment, TotalSegments: segments, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        for (const item of page.Items ?? []) {
          await write(`${JSON.stringify({ Item: item })}\n`);
          items++;
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  out.end();
  await once(out, 'finish');
  return items;
}

/** Writes every line of `file` into `table` (25 an item batch, 4 batches at once, unprocessed items resent); answers the count. */
export async function importTable(table: RawTable, file: string): Promise<number> {
  let items = 0;
  let batch: Record<string, AttributeValue>[] = [];
  const inFlight = new Set<Promise<void>>();
  const send = async (requests: Record<string, AttributeValue>[]) => {
    let pending = requests.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
      const out = await table.client.send(new BatchWriteItemCommand({ RequestItems: { [table.tableName]: pending } }));
      pending = (out.UnprocessedItems?.[table.tableName] ?? []) as typeof pending;
    }
  };
  const flush = async () => {
    const job = send(batch).then(() => void inFlight.delete(job));
    inFlight.add(job);
    batch = [];
    if (inFlight.size >= 4) await Promise.race(inFlight);
  };
  for await (const line of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const { Item } = JSON.parse(line) as { Item?: Record<string, AttributeValue> };
    if (!Item) throw new Error(`${file}: a line without an Item`);
    batch.push(Item);
    items++;
    if (batch.length === 25) await flush();
  }
  if (batch.length > 0) await flush();
  await Promise.all(inFlight);
  return items;
}
