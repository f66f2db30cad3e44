/**
 * `npm run reconcile:topups`: one run of the scheduled top-up reconciler, by hand (after a platform
 * outage, or to see what is open): every pending order older than a minute is asked about at its
 * platform, and every refund owed is asked for again. Reads TABLE_NAME, the platforms'
 * configurations (WECHAT_PAY_CONFIG / ALIPAY_CONFIG or their _PARAMETER) and (locally)
 * DYNAMODB_ENDPOINT. Prints the counts and each failure; exits 1 if an order could not be reconciled.
 */
import { createDeps } from '../functions/deps';
import { reconcilePendingOrders } from '../functions/services/topups';
import { runOperatorCommand } from './operator-command';

async function main(): Promise<number> {
  const deps = createDeps();
  const report = await reconcilePendingOrders(deps);
  for (const failure of report.failed) console.log(`FAILED ${failure.orderId}: ${failure.code}`);
  console.log(
    `top-up orders of ${deps.config.tableName}: ${report.checked} checked, ${report.credited} credited, ${report.closed} closed, ` +
      `${report.refunded} refunded, ${report.refundPending} refunds pending at the platform, ${report.failed.length} failures`,
  );
  return report.failed.length === 0 ? 0 : 1;
}

runOperatorCommand('top-up reconciliation', main);
