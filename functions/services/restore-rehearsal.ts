/**
 * The restore rehearsal (scripts/rehearse-restore.ts, docs/operations.md "Restoring"): the table is
 * exported, imported into a new table, and the ledger audit run on both as of the same instant.
 * A copy is good only if its audit agrees with the original's: the same accounts and entries read,
 * the same findings, the same books.
 */
import type { AuditReport } from './audit';

/** What differs between the original's audit and the copy's (empty when they agree). */
export function auditDisagreements(original: AuditReport, copy: AuditReport): string[] {
  const differences: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${what}: original ${JSON.stringify(a)}, copy ${JSON.stringify(b)}`);
  };
  same('complete', original.complete, copy.complete);
  same('accounts checked', original.accountsChecked, copy.accountsChecked);
  same('ledger entries checked', original.entriesChecked, copy.entriesChecked);
  same('items scanned', original.itemsScanned, copy.itemsScanned);
  const findings = (report: AuditReport) => report.findings.map((f) => `${f.accountNo} [${f.check}] ${f.problem}`).sort();
  same('findings', findings(original), findings(copy));
  const books = ({ trialBalance: t }: AuditReport) => ({
    debitsFen: t.debitsFen,
    creditsFen: t.creditsFen,
    holderPursesFen: t.holderPursesFen,
    totalFen: t.totalFen,
    systemAccounts: Object.fromEntries(Object.entries(t.systemAccounts).sort(([a], [b]) => a.localeCompare(b))),
  });
  same('trial balance', books(original), books(copy));
  return differences;
}
