/**
 * `npm run audit`: the ledger audit (functions/services/audit.ts) by hand: every account against its
 * ledger, every entry against its kind and transfers, the trial balance, external ids moved once,
 * pending things within their timeouts. Prints each finding, the trial balance with the system
 * accounts' balances, and a summary; progress goes to stderr about every second. Exits 1
 * if there is a finding. Reads TABLE_NAME and (locally) DYNAMODB_ENDPOINT; with neither set it
 * audits the local `npm start` database (campus-ecard-local on 127.0.0.1:8000).
 * Options: --segments N (parallel scan segments, 4), --concurrency N (accounts at once, 16),
 * --expected-accounts N (for the ETA in the progress lines; by default last night's stored count).
 */
import { parseArgs } from 'node:util';
import { readConfig } from '../functions/config';
import { auditLedger, expectedAccountsFromLastNight } from '../functions/services/audit';
import { campusDay } from '../functions/domain/campus-day';
import { createDocumentClient } from '../functions/store/db';
import { runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { segments: { type: 'string' }, concurrency: { type: 'string' }, 'expected-accounts': { type: 'string' } } });
  const config = readConfig();
  const db = { doc: createDocumentClient(config), tableName: config.tableName };
  const expectedAccounts = values['expected-accounts'] !== undefined ? Number(values['expected-accounts']) : await expectedAccountsFromLastNight(db, campusDay(new Date()));
  const report = await auditLedger(
    db,
    {
      ...(expectedAccounts !== undefined ? { expectedAccounts } : {}),
      ...(values.segments ? { segments: Number(values.segments) } : {}),
      ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
      onProgress: (p) =>
        console.error(`audit: ${p.accountsChecked} accounts, ${p.entriesChecked} entries, ${p.itemsScanned} items scanned, ${p.entriesPerSecond} entries/s (${(p.elapsedMs / 1000).toFixed(1)} s` +
            `${p.etaMs !== undefined && expectedAccounts !== undefined ? `; about ${(p.etaMs / 1000).toFixed(0)} s left of ~${expectedAccounts} accounts` : ''})`),
    },
  );
  for (const finding of report.findings) console.log(`DIFFERENCE account ${finding.accountNo} [${finding.check}]: ${finding.problem}`);
  const books = report.trialBalance;
  const yuan = (fen: number) => (fen / 100).toFixed(2);
  // Balance = credits − debits: a clearing account or the cash desk is negative by what came in through it.
  console.log(`trial balance: debits ${yuan(books.debitsFen)}, credits ${yuan(books.creditsFen)}; holder purses ${yuan(books.holderPursesFen)} + system accounts = ${yuan(books.totalFen)}`);
  for (const [account, fen] of Object.entries(books.systemAccounts)) if (!account.startsWith('merchant:')) console.log(`  ${account.padEnd(18)} ${yuan(fen).padStart(14)}`);
  console.log(`  ${'merchants payable'.padEnd(18)} ${yuan(books.merchantsPayableFen).padStart(14)} (${Object.keys(books.systemAccounts).filter((a) => a.startsWith('merchant:')).length} merchants)`);
  console.log(
    `audit of ${config.tableName}: ${report.accountsChecked} accounts, ${report.entriesChecked} ledger entries, ` +
      `${report.findings.length} differences (${report.elapsedMs} ms, ${report.entriesPerSecond} entries/s; ` +
      `${report.movedWhileRead} accounts moved while read)`,
  );
  return report.findings.length === 0 ? 0 : 1;
}

runOperatorCommand('audit', main);
