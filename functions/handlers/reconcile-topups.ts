/** Scheduled (serverless.yml): asks the platforms about top-up orders still pending, so no payment is lost. */
import { getDeps } from '../deps';
import { reconcilePendingOrders, type ReconcileReport } from '../services/topups';

/** Never throws for one order: the run reports its failures (logged as errors, for the alarm) and goes on. */
export async function handler(): Promise<ReconcileReport> {
  const deps = getDeps();
  const result = await reconcilePendingOrders(deps);
  if (result.failed.length > 0) deps.logger.error('top-up reconciliation left orders unreconciled', { ...result });
  else deps.logger.info('top-up reconciliation', { ...result });
  return result;
}
