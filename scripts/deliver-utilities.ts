/**
 * `npm run deliver:utilities`: one run of the scheduled utility delivery retrier, by hand (after a
 * network or power system outage). Reads TABLE_NAME, NETWORK_CONFIG / ELECTRICITY_CONFIG (or their
 * _PARAMETER in SSM) and (locally) DYNAMODB_ENDPOINT; with neither table nor endpoint set it works on
 * the local `npm start` database. Prints the counts and each failure; exits 1 if any failed.
 */
import { createDeps } from '../functions/deps';
import { deliverPendingUtilities } from '../functions/services/utilities';
import { runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const deps = createDeps();
  const report = await deliverPendingUtilities(deps);
  for (const failure of report.failures) console.log(`FAILED ${failure.delivery}: ${failure.error}`);
  console.log(
    `utility deliveries of ${deps.config.tableName}: ${report.checked} open, ${report.delivered} delivered, ${report.refunded} refunded, ` +
      `${report.retrying} still failing (retried later), ${report.waiting} waiting for their next try, ${report.failures.length} failures`,
  );
  return report.failures.length === 0 ? 0 : 1;
}

runOperatorCommand('utility delivery', main);
