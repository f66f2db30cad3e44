/** Scheduled (serverless.yml): asks the platforms about top-up orders still pending, so no payment is lost. */
import { getDeps } from '../deps';
import { reconcilePendingOrders } from '../services/topups';

export async function handler(): Promise<{ checked: number; credited: number; closed: number }> {
  const deps = getDeps();
  const result = await reconcilePendingOrders(deps);
  deps.logger.info('top-up reconciliation', result);
  return result;
}
