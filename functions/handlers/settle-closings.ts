/** Scheduled (serverless.yml): refunds what closed accounts held back for offline terminals, once their bundles have expired. */
import { scheduledRun } from '../http/scheduled';
import { settleClosedAccounts } from '../services/closings';

/** Never throws for one account: the run reports its failures (logged as errors, for the alarm) and goes on. */
export const handler = scheduledRun('closing settlement', (deps) => settleClosedAccounts(deps), (report) => report.failures);
