/** Scheduled (serverless.yml): asks the platforms about top-up orders still pending, so no payment is lost. */
import { scheduledRun } from '../http/scheduled';
import { reconcilePendingOrders } from '../services/topups';

/** Never throws for one order: the run reports its failures (logged as errors, for the alarm) and goes on. */
export const handler = scheduledRun('top-up reconciliation', (deps) => reconcilePendingOrders(deps), (report) => report.failed);
