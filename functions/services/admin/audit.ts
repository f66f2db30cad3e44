/**
 * Helpers every admin action uses to write its audit entry with its change: as an item of the
 * action's own transaction, inside a money movement (the movement's `alsoWrite`), or joined to a
 * store function's one write. And the day's log for supervisors.
 */
import type { z } from 'zod';
import type { auditEntryView } from '../../../shared/api/admin';
import type { Deps } from '../../deps';
import { auditEntry, type AuditAction, type AuditEntry, type AuditValue } from '../../domain/audit-log';
import type { LedgerEntry } from '../../domain/ledger';
import type { Actor } from '../../domain/staff';
import { auditEntryPut, listAuditDay } from '../../store/audit-log';
import type { MovementStore } from '../../store/movements';

export interface AuditWhat {
  action: AuditAction;
  target: string;
  reason: string;
  details?: Record<string, AuditValue>;
}

export function newAuditEntry(deps: Pick<Deps, 'clock'>, actor: Actor, what: AuditWhat): AuditEntry {
  return auditEntry(actor, what.action, what.target, what.reason, what.details ?? {}, deps.clock());
}

export function auditPut(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, what: AuditWhat) {
  return auditEntryPut(deps.db, newAuditEntry(deps, actor, what));
}

/**
 * The movement store, with the audit entry committed in each movement's own transaction (made from
 * the entry as planned, so it can quote the receipt and the balance after). A retry that replays a
 * posted movement writes nothing, so an action is audited once however often it is retried.
 */
export function auditedMovements(deps: Pick<Deps, 'db' | 'clock' | 'movements'>, actor: Actor, what: (entry: LedgerEntry) => AuditWhat): { db: Deps['db']; movements: MovementStore } {
  return {
    db: deps.db,
    movements: {
      post: (command) =>
        deps.movements.post({
          ...command,
          alsoWrite: (entry) => [
            ...(command.alsoWrite?.(entry) ?? []),
            // A fresh entry id per attempt costs nothing: only the attempt that commits leaves one.
            { item: { Put: auditPut(deps, actor, what(entry)) }, onConflict: () => 'retry' as const },
          ],
        }),
    },
  };
}

export async function auditDay(
  deps: Pick<Deps, 'db'>,
  query: { day: string; cursor?: string; limit: number },
): Promise<{ day: string; entries: z.infer<typeof auditEntryView>[]; nextCursor?: string }> {
  const page = await listAuditDay(deps.db, query.day, { ...(query.cursor ? { after: query.cursor } : {}), limit: query.limit });
  return {
    day: query.day,
    entries: page.entries.map(({ campusDay: _day, ...entry }) => entry),
    ...(page.next ? { nextCursor: page.next } : {}),
  };
}
