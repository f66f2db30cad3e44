/**
 * `npm run settle:closings`: one run of the scheduled closing settlement, by hand. Reads TABLE_NAME
 * and (locally) DYNAMODB_ENDPOINT; with neither set it works on the local `npm start` database.
 * Prints the counts and each failure; exits 1 if an account could not be settled.
 */
import { createDeps } from '../functions/deps';
import { settleClosedAccounts } from '../functions/services/closings';
import { runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const deps = createDeps();
  const report = await settleClosedAccounts(deps);
  for (const failure of report.failures) console.log(`FAILED ${failure.accountNo}: ${failure.error}`);
  console.log(`closed accounts of ${deps.config.tableName}: ${report.checked} due, ${report.settled} settled, ${report.refundedFen} fen refunded, ${report.failures.length} failures`);
  return report.failures.length === 0 ? 0 : 1;
}

runOperatorCommand('closing settlement', main);
