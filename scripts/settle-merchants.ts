/**
 * `npm run settle:merchants`: one run of the scheduled merchant settlement, by hand (after an outage,
 * or to close yesterday's statements now). Reads TABLE_NAME and (locally) DYNAMODB_ENDPOINT; with
 * neither set it works on the local `npm start` database. Closes what has ended and is not closed
 * (closing twice changes nothing), prints the counts and each failure; exits 1 if one could not be closed.
 */
import { createDeps } from '../functions/deps';
import { closeMerchantStatements } from '../functions/services/settlement';
import { formatYuan } from '../shared/money';
import { runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const deps = createDeps();
  const report = await closeMerchantStatements(deps);
  for (const failure of report.failures) console.log(`FAILED ${failure.statementId}: ${failure.error}`);
  console.log(
    `merchant settlement of ${deps.config.tableName}: ${report.merchants} merchants, ${report.closed} statements closed, ` +
      `${report.alreadyClosed} already closed, ¥${formatYuan(report.feesFen)} fees booked, ${report.failures.length} failures`,
  );
  return report.failures.length === 0 ? 0 : 1;
}

runOperatorCommand('merchant settlement', main);
