/**
 * `npm run audit`: recomputes every account's purses from its ledger and reports each difference.
 * Exits 1 if there is one. Reads TABLE_NAME and (locally) DYNAMODB_ENDPOINT; with neither set it
 * audits the local `npm start` database (campus-ecard-local on 127.0.0.1:8000).
 */
import { readConfig } from '../functions/config';
import { auditLedger } from '../functions/services/audit';
import { createDocumentClient } from '../functions/store/db';

async function main(): Promise<number> {
  if (!process.env.TABLE_NAME && !process.env.DYNAMODB_ENDPOINT) {
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
  }
  const config = readConfig();
  const started = Date.now();
  const report = await auditLedger({ doc: createDocumentClient(config), tableName: config.tableName });
  for (const finding of report.findings) console.log(`DIFFERENCE account ${finding.accountNo}: ${finding.problem}`);
  console.log(
    `audit of ${config.tableName}: ${report.accountsChecked} accounts, ${report.entriesChecked} ledger entries, ` +
      `${report.findings.length} differences (${Date.now() - started} ms)`,
  );
  return report.findings.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`audit failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
