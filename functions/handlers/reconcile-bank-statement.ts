/** Scheduled (serverless.yml, 10:00 Beijing): yesterday's bank statement of the settlement account against our kiosk bank transfers. */
import { statementDayFor } from '../domain/bank-statement';
import { getDeps } from '../deps';
import { reconcileBankStatement, type BankStatementReport } from '../services/bank-statement';

/** Never throws for one transfer: the run reports its failures (logged as errors, for the alarm) and goes on. */
export async function handler(): Promise<BankStatementReport> {
  const deps = getDeps();
  const report = await reconcileBankStatement(deps, statementDayFor(deps.clock()));
  if (report.failures.length > 0) deps.logger.error('bank statement reconciliation', { ...report });
  else deps.logger.info('bank statement reconciliation', { ...report });
  return report;
}
