/** Scheduled (serverless.yml): refunds what closed accounts held back for offline terminals, once their bundles have expired. */
import { getDeps } from '../deps';
import { settleClosedAccounts, type ClosingSettlementReport } from '../services/closings';

/** Never throws for one account: the run reports its failures (logged as errors, for the alarm) and goes on. */
export async function handler(): Promise<ClosingSettlementReport> {
  const deps = getDeps();
  const result = await settleClosedAccounts(deps);
  if (result.failures.length > 0) deps.logger.error('closing settlement left accounts unsettled', { ...result });
  else deps.logger.info('closing settlement', { ...result });
  return result;
}
