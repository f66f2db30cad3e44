/** `npm run audit`: recomputes every account from its ledger. An operator tool (it scans the table), not a Lambda. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../domain/account';
import { auditAccount, type AuditFinding } from '../domain/audit';
import type { Db } from '../store/db';
import { withoutKeys } from '../store/keys';
import { entriesInRange } from '../store/ledger';

export interface AuditReport {
  accountsChecked: number;
  entriesChecked: number;
  findings: AuditFinding[];
}

/** Every account, page by page; `segments` parallel scan segments. */
async function* allAccounts(db: Db, segments: number): AsyncGenerator<Account> {
  const scans = Array.from({ length: segments }, (_, segment) => scanSegment(db, segment, segments));
  for (const scan of scans) yield* scan;
}

async function* scanSegment(db: Db, segment: number, totalSegments: number): AsyncGenerator<Account> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new ScanCommand({
        TableName: db.tableName,
        Segment: segment,
        TotalSegments: totalSegments,
        FilterExpression: 'sk = :account',
        ExpressionAttributeValues: { ':account': 'ACCOUNT' },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) yield withoutKeys(item) as unknown as Account;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

export async function auditLedger(db: Db, options: { segments?: number; concurrency?: number } = {}): Promise<AuditReport> {
  const report: AuditReport = { accountsChecked: 0, entriesChecked: 0, findings: [] };
  const concurrency = options.concurrency ?? 8;
  let batch: Account[] = [];
  const flush = async () => {
    await Promise.all(
      batch.map(async (account) => {
        const entries = await entriesInRange(db, account.accountNo);
        report.accountsChecked++;
        report.entriesChecked += entries.length;
        report.findings.push(...auditAccount(account, entries));
      }),
    );
    batch = [];
  };
  for await (const account of allAccounts(db, options.segments ?? 4)) {
    batch.push(account);
    if (batch.length >= concurrency) await flush();
  }
  await flush();
  return report;
}
