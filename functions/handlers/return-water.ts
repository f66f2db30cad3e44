/** Scheduled (serverless.yml): water sessions (small-wallet preloads) nobody settled in time are given back whole. */
import { scheduledRun } from '../http/scheduled';
import { returnUnsettledWater } from '../services/small-wallet';

export const handler = scheduledRun('water sessions', (deps) => returnUnsettledWater(deps), (report) => report.failures);
