/**
 * `npm run reconcile:bank`: one run of the scheduled bank transfer reconciler, by hand (after a bank
 * outage, or to see what is open). Reads TABLE_NAME, BANK_CONFIG / BANK_CONFIG_PARAMETER and
 * (locally) DYNAMODB_ENDPOINT; with neither table nor endpoint set it works on the local `npm start`
 * database. Prints the counts and each failure; exits 1 if a transfer could not be settled.
 */
import { createDeps } from '../functions/deps';
import { reconcileBankTransfers } from '../functions/services/bank-transfers';
import { runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const deps = createDeps();
  const report = await reconcileBankTransfers(deps);
  for (const failure of report.failures) console.log(`FAILED ${failure.transfer}: ${failure.error}`);
  console.log(
    `bank transfers of ${deps.config.tableName}: ${report.checked} checked, ${report.credited} credited, ${report.reversed} reversed, ` +
      `${report.refused} refused, ${report.expired} expired, ${report.open} still open, ${report.failures.length} failures`,
  );
  return report.failures.length === 0 ? 0 : 1;
}

runOperatorCommand('bank reconciliation', main);
