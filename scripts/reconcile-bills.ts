/**
 * `npm run reconcile:bills [-- --day YYYY-MM-DD]`: one run of the scheduled bill reconciler, by hand
 * (a day again after an outage, or a day the schedule missed); default the campus day before today.
 * Reads TABLE_NAME, WECHAT_PAY_CONFIG(_PARAMETER), ALIPAY_CONFIG(_PARAMETER) and (locally)
 * DYNAMODB_ENDPOINT; with neither table nor endpoint set it works on the local `npm start` database.
 * Prints each channel's counts and each failure; exits 1 if a bill or a credit failed.
 */
import { billDayFor } from '../functions/domain/bill-reconciliation';
import { createDeps } from '../functions/deps';
import { reconcileBills } from '../functions/services/bill-reconciliation';
import { dayArgument, runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const day = dayArgument(billDayFor(new Date()), 'npm run reconcile:bills [-- --day YYYY-MM-DD]');
  if (!day) return 2;
  const deps = createDeps();
  const report = await reconcileBills(deps, day);
  for (const channel of report.channels) {
    console.log(
      `${channel.channel} bill of ${day}: ${channel.rows} rows (${channel.duplicates} repeated), ${channel.matched} matched, ` +
        `${channel.credited} credited now, ${channel.refunding} given back, ${channel.findings} new findings (${channel.knownFindings} already queued)`,
    );
  }
  for (const failure of report.failures) console.log(`FAILED ${failure.channel}${failure.ref ? ` ${failure.ref}` : ''}: ${failure.code} ${failure.error}`);
  if (report.channels.length === 0 && report.failures.length === 0) console.log('no payment channel is configured (WECHAT_PAY_CONFIG, ALIPAY_CONFIG)');
  return report.failures.length === 0 ? 0 : 1;
}

runOperatorCommand('bill reconciliation', main);
