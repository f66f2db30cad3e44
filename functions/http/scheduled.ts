/**
 * A scheduled function's run: the service does the work and reports what it could not do; the run
 * logs that report (as an error when anything failed, which the alarm watches) and returns it.
 */
import { getDeps, type Deps } from '../deps';

export function scheduledRun<R extends object>(what: string, run: (deps: Deps) => Promise<R>, failures: (report: R) => readonly unknown[]): () => Promise<R> {
  return async () => {
    const deps = getDeps();
    const report = await run(deps);
    const fields = { ...report } as Record<string, unknown>;
    if (failures(report).length > 0) deps.logger.error(`${what} left work undone`, fields);
    else deps.logger.info(what, fields);
    return report;
  };
}
