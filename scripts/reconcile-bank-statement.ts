/**
 * `npm run reconcile:bank-statement [-- --day YYYY-MM-DD]`: one run of the scheduled bank statement
 * reconciler, by hand (a day again after a bank outage or a refused statement, or a day the
 * schedule missed); default the campus day before today. Reads TABLE_NAME, BANK_CONFIG /
 * BANK_CONFIG_PARAMETER and (locally) DYNAMODB_ENDPOINT; with neither table nor endpoint set it
 * works on the local `npm start` database. Prints the counts and each failure; exits 1 if the
 * statement could not be reconciled or a transfer failed.
 */
import { statementDayFor } from '../functions/domain/bank-statement';
import { createDeps } from '../functions/deps';
import { reconcileBankStatement } from '../functions/services/bank-statement';
import { dayArgument, runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const day = dayArgument(statementDayFor(new Date()), 'npm run reconcile:bank-statement [-- --day YYYY-MM-DD]');
  if (!day) return 2;
  const deps = createDeps();
  const report = await reconcileBankStatement(deps, day);
  if (report.reconciled) {
    console.log(
      `bank statement of ${day}: ${report.lines} lines (${report.duplicates} repeated), ${report.matched} matched, ` +
        `${report.handedOver} handed to the bank reconciler (${report.credited} credited, ${report.reversed} reversed, ${report.stillOpen} still open), ` +
        `${report.findings} new findings (${report.knownFindings} already queued), ${report.deferred} left to the next day's statement`,
    );
  }
  for (const failure of report.failures) console.log(`FAILED${failure.ref ? ` ${failure.ref}` : ''}: ${failure.code} ${failure.error}`);
  return report.reconciled && report.failures.length === 0 ? 0 : 1;
}

runOperatorCommand('bank statement reconciliation', main);
