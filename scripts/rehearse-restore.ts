/**
 * `npm run rehearse:restore`: the point-in-time recovery drill, locally (docs/operations.md,
 * "Restoring the table"). Exports the table (a parallel Scan to JSON Lines, DynamoDB JSON), imports
 * the file into a new table with the same schema (serverless.yml), runs the ledger audit on both as
 * of the same instant and checks they agree (accounts, entries, findings, the books). Prints each
 * step and exits 0 when they agree, 1 when not, 2 when it could not run. Works on the local
 * `npm start` database unless TABLE_NAME / DYNAMODB_ENDPOINT say otherwise; refuses to run against
 * AWS (there, `restore-table-to-point-in-time` makes the copy and `npm run audit` checks it).
 * Options: --file PATH (the export; default test-artifacts/restore/<table>-<time>.jsonl), --keep
 * (keep the copy table).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readConfig } from '../functions/config';
import { loadServerlessConfig, PROJECT_ROOT } from '../functions/local/serverless-config';
import { ensureTables } from '../functions/local/tables';
import { auditLedger, type AuditReport } from '../functions/services/audit';
import { auditDisagreements } from '../functions/services/restore-rehearsal';
import { createDocumentClient } from '../functions/store/db';
import { exportTable, importTable } from '../functions/store/table-copy';
import { runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { file: { type: 'string' }, keep: { type: 'boolean', default: false } } });
  const config = readConfig();
  if (!config.dynamodbEndpoint) {
    console.error('rehearse:restore runs on DynamoDB Local only (set DYNAMODB_ENDPOINT); on AWS restore with `aws dynamodb restore-table-to-point-in-time` and audit the copy (docs/operations.md)');
    return 2;
  }
  const client = new DynamoDBClient({ region: config.region, endpoint: config.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = createDocumentClient(config);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..+/, '');
  const source = config.tableName;
  const copy = `${source}-restore-${stamp}`;
  const file = values.file ?? join(PROJECT_ROOT, 'test-artifacts', 'restore', `${source}-${stamp}.jsonl`);
  mkdirSync(dirname(file), { recursive: true });
  try {
    // Both audits judge pending timeouts as of this one instant, so time passing between them changes nothing.
    const at = new Date();
    const t0 = performance.now();
    const exported = await exportTable({ client, tableName: source }, file);
    console.log(`exported ${exported} items of ${source} to ${file} (${Math.round(performance.now() - t0)} ms)`);
    const original = await auditLedger({ doc, tableName: source }, { clock: () => at });
    print('original', source, original);

    const schema = loadServerlessConfig({ stage: 'local', env: {} }).tables[0]!;
    await ensureTables(client, [{ logicalId: schema.logicalId, properties: { ...schema.properties, TableName: copy } }]);
    const t1 = performance.now();
    const imported = await importTable({ client, tableName: copy }, file);
    console.log(`imported ${imported} items into ${copy} (${Math.round(performance.now() - t1)} ms)`);
    const restored = await auditLedger({ doc, tableName: copy }, { clock: () => at });
    print('copy', copy, restored);

    const differences = [...(imported === exported ? [] : [`items: exported ${exported}, imported ${imported}`]), ...auditDisagreements(original, restored)];
    for (const difference of differences) console.log(`DISAGREE ${difference}`);
    console.log(differences.length === 0 ? 'the audits agree: the copy is the table' : `the audits disagree (${differences.length})`);
    return differences.length === 0 ? 0 : 1;
  } finally {
    if (!values.keep) await client.send(new DeleteTableCommand({ TableName: copy })).catch(() => undefined);
    else console.log(`kept ${copy}`);
    client.destroy();
  }
}

function print(what: string, table: string, report: AuditReport): void {
  const yuan = (fen: number) => (fen / 100).toFixed(2);
  console.log(
    `audit of the ${what} (${table}): ${report.accountsChecked} accounts, ${report.entriesChecked} ledger entries, ${report.findings.length} findings; ` +
      `debits ${yuan(report.trialBalance.debitsFen)}, credits ${yuan(report.trialBalance.creditsFen)}, holder purses ${yuan(report.trialBalance.holderPursesFen)}`,
  );
}

runOperatorCommand('rehearse:restore', main);
