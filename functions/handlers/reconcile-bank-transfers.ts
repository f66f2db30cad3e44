/** Scheduled (serverless.yml): settles kiosk bank transfers still open, so every bank debit ends credited or reversed. */
import { getDeps } from '../deps';
import { reconcileBankTransfers, type BankReconcileReport } from '../services/bank-transfers';

export async function handler(): Promise<BankReconcileReport> {
  const deps = getDeps();
  const report = await reconcileBankTransfers(deps);
  if (report.failures.length > 0) deps.logger.error('bank transfer reconciliation', { ...report });
  else deps.logger.info('bank transfer reconciliation', { ...report });
  return report;
}
