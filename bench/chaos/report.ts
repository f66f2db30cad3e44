/** The crash harness's figures as printed (npm run chaos, and the bounded run in CI), and its verdict. */
import type { ChaosReport } from './harness';

/** Exact books: no audit difference, nothing lost, doubled, left unknown or open past its timeout. */
export function verdict(report: ChaosReport): { ok: boolean; problems: string[] } {
  const problems = [...report.audit.differences.map((d) => `audit: ${d}`), ...Object.entries(report.checks).flatMap(([check, list]) => list.map((item) => `${check}: ${item}`))];
  return { ok: report.audit.findings === 0 && problems.length === 0, problems };
}

export function formatReport(report: ChaosReport): string {
  const lines: string[] = [];
  const total = Object.values(report.operations).reduce((sum, k) => sum + k.total, 0);
  lines.push(`chaos (seed ${report.seed}): ${total} operations in ${(report.durationMs / 1000).toFixed(1)} s (the stream ${(report.phasesMs.operations / 1000).toFixed(1)} s, the end ${(report.phasesMs.end / 1000).toFixed(1)} s)`);
  lines.push('operations by kind (total / posted / refused / other):');
  for (const [kind, k] of Object.entries(report.operations)) lines.push(`  ${kind.padEnd(16)} ${String(k.total).padStart(6)} ${String(k.posted).padStart(6)} ${String(k.refused).padStart(6)} ${String(k.other).padStart(6)}`);
  lines.push(`refusals (final answers, nothing moved): ${Object.entries(report.refusals).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  const down = report.downtimeMs;
  lines.push(`kills (SIGKILL of the API): ${report.kills}${down.length ? `, down ${Math.min(...down)}–${Math.max(...down)} ms each` : ''}`);
  const faults = Object.values(report.faults).reduce((a, b) => a + b, 0);
  lines.push(`faults injected: ${faults} (${Object.entries(report.faults).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  lines.push(`retries: ${Object.entries(report.retries).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  lines.push(`resolved at the end: ${Object.entries(report.resolvedAtEnd).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  lines.push(`open pending transfers after the resolvers' runs an hour later (must be none): ${Object.entries(report.openPending).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const c = report.checks;
  lines.push(`checks: lost ${c.lost.length}, doubled ${c.doubled.length}, unexpected ${c.unexpected.length}, unknown ${c.unknown.length}, balances ${c.balances.length}, bank ${c.bank.length}, chips ${c.chips.length}, pending ${c.pending.length}`);
  lines.push(`audit: ${report.audit.findings} differences (${report.audit.accountsChecked} accounts, ${report.audit.entriesChecked} entries)`);
  const { ok, problems } = verdict(report);
  for (const problem of problems.slice(0, 30)) lines.push(`  ✗ ${problem}`);
  if (!ok) lines.push(`resolvers: ${JSON.stringify(report.resolvers)}`);
  lines.push(ok ? 'result: OK — zero differences, nothing lost, nothing doubled' : `result: FAILED (${problems.length} problems)`);
  return lines.join('\n');
}
