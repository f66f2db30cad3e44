/** Scheduled (serverless.yml): every open payment-code sale asked about, and cancelled at the platform after its wait, so each ends posted or voided. */
import { scheduledRun } from '../http/scheduled';
import { resolvePaymentCodes } from '../services/payment-codes';

export const handler = scheduledRun('payment code resolution', (deps) => resolvePaymentCodes(deps), (report) => report.failures);
