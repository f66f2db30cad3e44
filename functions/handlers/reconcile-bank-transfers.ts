/** Scheduled (serverless.yml): settles kiosk bank transfers still open, so every bank debit ends credited or reversed. */
import { scheduledRun } from '../http/scheduled';
import { reconcileBankTransfers } from '../services/bank-transfers';

export const handler = scheduledRun('bank transfer reconciliation', (deps) => reconcileBankTransfers(deps), (report) => report.failures);
