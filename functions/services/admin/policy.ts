/** Campus policy settings: any staff member reads them; administrators change them, with a reason, audited. */
import { putCampusPolicy } from '../../../shared/api/admin';
import type { Deps } from '../../deps';
import type { ActionLogValue } from '../../domain/action-log';
import { DEFAULT_POLICY, type CampusPolicy } from '../../domain/policy';
import { requireRole, type Actor } from '../../domain/staff';
import { getPolicy, putPolicy } from '../../store/policy';
import { actionLogPut } from './action-log';

/** The settings; with `withDefaults`, also what each is until the card centre changes it (the console shows both). */
export async function readCampusPolicy(deps: Pick<Deps, 'db'>, withDefaults: boolean): Promise<CampusPolicy & { defaults?: CampusPolicy }> {
  const policy = await getPolicy(deps.db);
  return withDefaults ? { ...policy, defaults: DEFAULT_POLICY } : policy;
}

export async function updateCampusPolicy(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, body: { policy: CampusPolicy; reason: string }): Promise<CampusPolicy> {
  requireRole(actor, putCampusPolicy.roles);
  const before = await getPolicy(deps.db);
  const changed = (Object.keys(body.policy) as (keyof CampusPolicy)[]).filter((name) => body.policy[name] !== before[name]);
  // What each changed setting was and became, so the log alone tells the story.
  const details: Record<string, ActionLogValue> = { changed };
  for (const name of changed) details[name] = `${String(before[name])} → ${String(body.policy[name])}`;
  const audit = actionLogPut(deps, actor, { action: 'policy.update', target: 'policy', reason: body.reason, details });
  await putPolicy(deps.db, body.policy, actor.username, deps.clock(), [{ Put: audit }]);
  return getPolicy(deps.db);
}
