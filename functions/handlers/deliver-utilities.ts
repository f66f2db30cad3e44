/** Scheduled (serverless.yml): retries utility deliveries still pending (backoff), refunds what the systems refuse or never took in time. */
import { scheduledRun } from '../http/scheduled';
import { deliverPendingUtilities } from '../services/utilities';

export const handler = scheduledRun('utility delivery', (deps) => deliverPendingUtilities(deps), (report) => report.failures);
