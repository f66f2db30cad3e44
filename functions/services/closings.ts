/**
 * Settling closed accounts: a closing holds back what offline terminals with a bundle from before it
 * may still charge; once those bundles have expired, what is left is refunded to the closing's
 * destination. Each account answers for itself; the run reports its failures.
 */
import type { Deps } from '../deps';
import { listDueHoldbacks } from '../store/closings';
import { settleClosedAccount } from './movements';

export interface ClosingSettlementReport {
  checked: number;
  settled: number;
  refundedFen: number;
  failures: { accountNo: string; error: string }[];
}

export async function settleClosedAccounts(deps: Pick<Deps, 'db' | 'clock' | 'movements'>): Promise<ClosingSettlementReport> {
  const now = deps.clock();
  const due = await listDueHoldbacks(deps.db, now);
  const report: ClosingSettlementReport = { checked: due.length, settled: 0, refundedFen: 0, failures: [] };
  for (const holdback of due) {
    try {
      const { entry } = await settleClosedAccount(deps, holdback, now);
      report.settled++;
      report.refundedFen += entry.amountFen;
    } catch (error) {
      report.failures.push({ accountNo: holdback.accountNo, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}
