/**
 * Issue 17 item 5 on real DynamoDB Local: the audit's progress says how far it is, at what rate and
 * (when the number of accounts is expected) how long is left; the nightly run takes that number from
 * last night's report and logs a progress line; `npm run audit` prints the ETA too.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { AUDIT_LOG, auditLedger, runNightlyAudit, type AuditProgress } from '../../functions/services/audit';
import { putAuditReport } from '../../functions/store/audit-reads';
import { createTestAccount } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const run = promisify(execFile);

describe('the audit at scale: progress and ETA', () => {
  it('reports accounts and entries done, their rates, and an ETA by the accounts expected, ending at 0', async () => {
    for (let i = 0; i < 6; i++) await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const seen: AuditProgress[] = [];
    const report = await auditLedger(platform.deps.db, { segments: 3, pageSize: 1, progressEveryMs: 0, expectedAccounts: 12, onProgress: (p) => seen.push(p) });
    expect(report.complete).toBe(true);
    const last = seen.at(-1)!;
    expect(last.accountsChecked).toBe(report.accountsChecked);
    expect(last.accountsPerSecond).toBeGreaterThanOrEqual(0);
    expect(typeof last.entriesPerSecond).toBe('number');
    // Fewer accounts than expected: the ETA of the last line is the expected rest at the rate so far.
    expect(last.etaMs).toBe(Math.round(((12 - last.accountsChecked) * last.elapsedMs) / last.accountsChecked));
    const early = seen.find((p) => p.accountsChecked > 0)!;
    expect(early.etaMs).toBeGreaterThanOrEqual(0);
    // Past the count expected, never a negative time left; with none expected, no ETA at all.
    const over = await auditLedger(platform.deps.db, { expectedAccounts: 1 });
    expect(over.etaMs).toBe(0);
    const none = await auditLedger(platform.deps.db);
    expect(none.etaMs).toBeUndefined();
  });

  it('nightly: expects last night’s number of accounts and logs its progress with an ETA; with no report last night, without one', async () => {
    const lines: { message: string; fields: Record<string, unknown> }[] = [];
    const logger = { ...platform.deps.logger, info: (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields: fields ?? {} }), error: () => undefined };
    const deps = { db: platform.deps.db, clock: platform.deps.clock, logger };
    await runNightlyAudit(deps, '2026-11-20', 60_000);
    const first = lines.filter((l) => l.message === AUDIT_LOG.progress);
    expect(first.length).toBeGreaterThan(0);
    expect(first.at(-1)!.fields.etaMs).toBeUndefined();
    lines.length = 0;
    await putAuditReport(platform.deps.db, '2026-11-21', { accountsChecked: 1_000_000, complete: true });
    const summary = await runNightlyAudit(deps, '2026-11-22', 60_000);
    const progress = lines.filter((l) => l.message === AUDIT_LOG.progress).at(-1)!.fields;
    expect(progress).toMatchObject({ accountsChecked: summary.accountsChecked, entriesChecked: summary.entriesChecked });
    expect(progress.etaMs).toBeGreaterThan(0);
  });

  it('`npm run audit --expected-accounts` prints the ETA in its progress lines', async () => {
    const { stderr } = await run('npm', ['run', 'audit', '--silent', '--', '--expected-accounts', '500'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(stderr).toMatch(/audit: \d+ accounts, \d+ entries, .* left of ~500 accounts/);
  }, 60_000);
});
