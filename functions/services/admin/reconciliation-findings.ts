/**
 * The card centre's reconciliation queue: open findings by pages, and resolving one, with its action-log
 * entry in the same transaction (a finding leaves the queue only with its entry written).
 */
import type { FindingResolution } from '../../../shared/vocabulary';
import { AppError } from '../../app-error';
import type { Deps } from '../../deps';
import type { Actor } from '../../domain/staff';
import { getFinding, listOpenFindings, resolveFinding, type ReconciliationFinding } from '../../store/reconciliation-findings';
import { actionLogPut } from './action-log';

export async function openFindings(deps: Pick<Deps, 'db'>, query: { cursor?: string; limit: number }): Promise<{ findings: ReconciliationFinding[]; nextCursor?: string }> {
  const page = await listOpenFindings(deps.db, { ...(query.cursor ? { after: query.cursor } : {}), limit: query.limit });
  return { findings: page.findings, ...(page.next ? { nextCursor: page.next } : {}) };
}

export async function resolveFindingByCardCentre(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  findingId: string,
  request: { resolution: FindingResolution; reason: string },
): Promise<ReconciliationFinding> {
  const finding = await getFinding(deps.db, findingId);
  if (!finding) throw new AppError('FINDING_NOT_FOUND', findingId);
  if (finding.status !== 'open') throw new AppError('FINDING_ALREADY_RESOLVED', findingId);
  const resolution = { resolution: request.resolution, reason: request.reason, by: actor.username, at: deps.clock().toISOString() };
  const logged = actionLogPut(deps, actor, {
    action: 'finding.resolve',
    target: findingId,
    reason: request.reason,
    details: {
      resolution: request.resolution,
      source: finding.source,
      kind: finding.kind,
      day: finding.day,
      // Not the ref: a platform transaction id is a long run of digits, which the action log refuses as a possible ID number.
      ...(finding.orderId ? { orderId: finding.orderId } : {}),
    },
  });
  // Two clerks on one finding: the second hears it is resolved, and leaves no action-log entry.
  if (!(await resolveFinding(deps.db, findingId, resolution, [{ Put: logged }]))) throw new AppError('FINDING_ALREADY_RESOLVED', findingId);
  return { ...finding, status: 'resolved', resolution };
}
