/**
 * Helpers every admin action uses to write its action-log entry with its change: as one more item of the
 * change's own transaction (the store function's `alsoWrite` parameter), or inside a money movement
 * (the movement's `alsoWrite`). And the day's log for supervisors.
 */
import type { z } from 'zod';
import type { auditEntryView } from '../../../shared/api/admin';
import type { Deps } from '../../deps';
import { actionLogEntry, type ActionLogAction, type ActionLogEntry, type ActionLogValue } from '../../domain/action-log';
import type { LedgerEntry } from '../../domain/ledger';
import type { Actor } from '../../domain/staff';
import { actionLogEntryPut, listActionLogDay } from '../../store/action-log';
import type { MovementStore } from '../../store/movements';

export interface ActionLogWhat {
  action: ActionLogAction;
  target: string;
  reason: string;
  details?: Record<string, ActionLogValue>;
}

export function newActionLogEntry(deps: Pick<Deps, 'clock'>, actor: Actor, what: ActionLogWhat): ActionLogEntry {
  return actionLogEntry(actor, what.action, what.target, what.reason, what.details ?? {}, deps.clock());
}

export function actionLogPut(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, what: ActionLogWhat) {
  return actionLogEntryPut(deps.db, newActionLogEntry(deps, actor, what));
}

/**
 * The movement store, with the action-log entry committed in each movement's own transaction (made from
 * the entry as planned, so it can quote the receipt and the balance after). A retry that replays a
 * posted movement writes nothing, so an action is logged once however often it is retried.
 */
export function loggedMovements(deps: Pick<Deps, 'db' | 'clock' | 'movements'>, actor: Actor, what: (entry: LedgerEntry) => ActionLogWhat): { db: Deps['db']; movements: MovementStore } {
  return {
    db: deps.db,
    movements: {
      post: (command) =>
        deps.movements.post({
          ...command,
          alsoWrite: (entry) => [
            ...(command.alsoWrite?.(entry) ?? []),
            // A fresh entry id per attempt costs nothing: only the attempt that commits leaves one.
            { item: { Put: actionLogPut(deps, actor, what(entry)) }, onConflict: () => 'retry' as const },
          ],
        }),
    },
  };
}

export async function actionLogDay(
  deps: Pick<Deps, 'db'>,
  query: { day: string; cursor?: string; limit: number },
): Promise<{ day: string; entries: z.infer<typeof auditEntryView>[]; nextCursor?: string }> {
  const page = await listActionLogDay(deps.db, query.day, { ...(query.cursor ? { after: query.cursor } : {}), limit: query.limit });
  return {
    day: query.day,
    entries: page.entries.map(({ campusDay: _day, ...entry }) => entry),
    ...(page.next ? { nextCursor: page.next } : {}),
  };
}
