/**
 * The card centre's staff action log, pure: one entry per admin action saying who (and in which
 * role), when, what, on what, and why. (Not the ledger check, `npm run audit`: that proves balances.)
 * Entries never hold an ID number or a password: the log is read by more people than the accounts
 * are, and kept longer. Its wire names stay "audit" (`GET /v1/admin/audit`, `auditId`, `AUDIT#`).
 */
import { ulid } from 'ulid';
import { campusDay } from './campus-day';
import { ACTION_LOG_ACTIONS, type ActionLogAction } from '../../shared/vocabulary';
import type { Actor, StaffRole } from './staff';

export { ACTION_LOG_ACTIONS, type ActionLogAction };

export type ActionLogValue = string | number | boolean | string[];

export interface ActionLogEntry {
  auditId: string;
  /** ISO time. */
  at: string;
  campusDay: string;
  who: string;
  role: StaffRole;
  action: ActionLogAction;
  /** What was acted on: `account:<no>`, `import:<id>`, `policy`, `staff:<username>`. */
  target: string;
  reason: string;
  details: Record<string, ActionLogValue>;
}

/** 17 digits and a check character: what an 18-character ID number looks like inside any text. */
export const ID_NUMBER_LIKE = /\d{17}[\dXx]/;

/**
 * A new entry. Refuses (as a programming error) details that look like an ID number, so a careless
 * caller fails in tests instead of writing one into the log.
 */
export function actionLogEntry(actor: Actor, action: ActionLogAction, target: string, reason: string, details: Record<string, ActionLogValue>, now: Date): ActionLogEntry {
  const texts = [reason, target, ...Object.values(details).flatMap((value) => (Array.isArray(value) ? value : [String(value)]))];
  if (texts.some((text) => ID_NUMBER_LIKE.test(text))) throw new Error(`action log ${action}: an ID number must never be logged`);
  return {
    auditId: ulid(now.getTime()),
    at: now.toISOString(),
    campusDay: campusDay(now),
    who: actor.username,
    role: actor.role,
    action,
    target,
    reason,
    details,
  };
}
