/**
 * `npm run return:water`: one run of the scheduled water-session resolver, by hand: every water
 * session (small-wallet preload) nobody settled within its timeout is given back to the balance, and
 * controller usage a day without a settlement is checked (findings; docs/water.md).
 * Reads TABLE_NAME and (locally) DYNAMODB_ENDPOINT; with neither set it works on the local `npm start` database.
 */
import { createDeps } from '../functions/deps';
import { returnUnsettledWater } from '../functions/services/small-wallet';
import { runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const deps = createDeps();
  const report = await returnUnsettledWater(deps);
  for (const failure of report.failures) console.log(`FAILED ${'sessionId' in failure ? failure.sessionId : `usage of ${failure.accountNo}`}: ${failure.error}`);
  console.log(`water sessions of ${deps.config.tableName}: ${report.checked} due, ${report.returned} given back; ${report.usageChecked} accounts' unsettled usage checked; ${report.failures.length} failures`);
  return report.failures.length === 0 ? 0 : 1;
}

runOperatorCommand('water sessions', main);
