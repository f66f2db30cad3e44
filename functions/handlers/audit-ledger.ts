/**
 * Scheduled nightly (serverless.yml `auditLedger`, 03:00 Beijing): the ledger audit within the
 * Lambda's time, its report stored as AUDITREPORT#<campusDay>, every finding logged as an error
 * (the alarm's metric filter counts them).
 */
import { getDeps } from '../deps';
import { campusDay } from '../domain/campus-day';
import { runNightlyAudit, type NightlyAuditSummary } from '../services/audit';

/** The Lambda's timeout is 900 s; the audit stops reading new pages a minute before, and says it is incomplete. */
const BUDGET_MS = 840_000;

export async function handler(): Promise<NightlyAuditSummary> {
  const deps = getDeps();
  return runNightlyAudit(deps, campusDay(deps.clock()), BUDGET_MS);
}
