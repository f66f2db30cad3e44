/** Scheduled (serverless.yml): closes every merchant's statements of the periods that ended (daily; weekly on Mondays; monthly on the 1st), booking each fee. */
import { scheduledRun } from '../http/scheduled';
import { closeMerchantStatements } from '../services/settlement';

/** Never throws for one statement: the run reports its failures (logged as errors, for the alarm) and goes on. */
export const handler = scheduledRun('merchant settlement', (deps) => closeMerchantStatements(deps), (report) => report.failures);
