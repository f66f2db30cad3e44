/** Scheduled (serverless.yml, 10:30 Beijing): yesterday's WeChat Pay and Alipay bills against our top-ups. */
import { billDayFor } from '../domain/bill-reconciliation';
import { scheduledRun } from '../http/scheduled';
import { reconcileBills } from '../services/bill-reconciliation';

/** Never throws for one channel or one order: the run reports its failures (logged as errors, for the alarm) and goes on. */
export const handler = scheduledRun('bill reconciliation', (deps) => reconcileBills(deps, billDayFor(deps.clock())), (report) => report.failures);
