/** Scheduled (serverless.yml, 10:00 Beijing): yesterday's bank statement of the settlement account against our kiosk bank transfers. */
import { statementDayFor } from '../domain/bank-statement';
import { scheduledRun } from '../http/scheduled';
import { reconcileBankStatement } from '../services/bank-statement';

/** Never throws for one transfer: the run reports its failures (logged as errors, for the alarm) and goes on. */
export const handler = scheduledRun('bank statement reconciliation', (deps) => reconcileBankStatement(deps, statementDayFor(deps.clock())), (report) => report.failures);
