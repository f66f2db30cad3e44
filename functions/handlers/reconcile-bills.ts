/** Scheduled (serverless.yml, 10:30 Beijing): yesterday's WeChat Pay and Alipay bills against our top-ups. */
import { billDayFor } from '../domain/bill-reconciliation';
import { getDeps } from '../deps';
import { reconcileBills, type BillReconcileReport } from '../services/bill-reconciliation';

/** Never throws for one channel or one order: the run reports its failures (logged as errors, for the alarm) and goes on. */
export async function handler(): Promise<BillReconcileReport> {
  const deps = getDeps();
  const report = await reconcileBills(deps, billDayFor(deps.clock()));
  if (report.failures.length > 0) deps.logger.error('bill reconciliation', { ...report });
  else deps.logger.info('bill reconciliation', { ...report });
  return report;
}
