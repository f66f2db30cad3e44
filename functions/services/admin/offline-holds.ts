/**
 * The card centre's decision on a held offline record (the reconciliation queue's `held_offline`):
 * approve charges the holder now and pays the merchant, through the movement store, with the record
 * marked applied, its finding resolved and the action-log entry, all in the movement's transaction;
 * reject moves nothing, and marks the record refused and the finding resolved with the entry.
 */
import { AppError } from '../../app-error';
import type { Deps } from '../../deps';
import { fingerprint } from '../../domain/fingerprint';
import { planHeldOfflineApproval } from '../../domain/offline-holds';
import type { Actor } from '../../domain/staff';
import { getOfflineRecord } from '../../store/offline';
import { offlineHoldDecisionItem, rejectOfflineHold } from '../../store/offline-holds';
import { findingResolutionItem, getFinding } from '../../store/reconciliation-findings';
import { getTerminal } from '../../store/terminals';
import { actionLogPut } from './action-log';

export interface OfflineHoldResolved {
  findingId: string;
  decision: 'approve' | 'reject';
  terminalId: string;
  recordId: string;
  accountNo: string;
  amountFen: number;
  receiptNo?: string;
  balanceFen?: number;
}

export async function resolveOfflineHold(
  deps: Pick<Deps, 'db' | 'clock' | 'movements'>,
  actor: Actor,
  findingId: string,
  body: { decision: 'approve' | 'reject'; reason: string },
): Promise<OfflineHoldResolved> {
  const finding = await getFinding(deps.db, findingId);
  // Only a held record's finding is decided here; any other finding has its own resolution route.
  if (!finding || finding.source !== 'offline_upload' || finding.kind !== 'offline_record_held') throw new AppError('FINDING_NOT_FOUND', findingId);
  if (finding.status !== 'open') throw new AppError('FINDING_ALREADY_RESOLVED', findingId);
  const slash = finding.ref.indexOf('/');
  const terminalId = finding.ref.slice(0, slash);
  const recordId = finding.ref.slice(slash + 1);
  const record = slash > 0 ? await getOfflineRecord(deps.db, terminalId, recordId) : undefined;
  if (!record?.accountNo) throw new AppError('FINDING_NOT_FOUND', `${findingId}: no held record ${finding.ref}`);
  if (record.result.outcome !== 'held') throw new AppError('FINDING_ALREADY_RESOLVED', `${findingId}: record ${finding.ref} is ${record.result.outcome}`);
  const accountNo = record.accountNo;
  const at = deps.clock().toISOString();
  const decision = { decision: body.decision, by: actor.username, at, reason: body.reason, heldFor: record.result.reason };
  const resolution = { resolution: body.decision === 'approve' ? ('adjusted' as const) : ('no_action' as const), reason: body.reason, by: actor.username, at };
  const heldFor = record.result.reason;
  // The finding id names the record; the terminal's record id is the POS's own text, kept out of the log (it refuses anything like an ID number).
  const logged = () =>
    actionLogPut(deps, actor, {
      action: 'offline_hold.resolve',
      target: `account:${accountNo}`,
      reason: body.reason,
      details: { decision: body.decision, findingId, amountFen: record.amountFen, heldFor },
    });
  const answer = { findingId, decision: body.decision, terminalId, recordId, accountNo, amountFen: record.amountFen };

  if (body.decision === 'reject') {
    const done = await rejectOfflineHold(deps.db, {
      finding: findingResolutionItem(deps.db, findingId, resolution),
      record: offlineHoldDecisionItem(deps.db, record, { outcome: 'rejected', reason: 'CARD_CENTRE_REJECTED' }, decision),
      alsoWrite: [{ Put: logged() }],
    });
    if (!done) throw new AppError('FINDING_ALREADY_RESOLVED', findingId);
    return answer;
  }

  const terminal = await getTerminal(deps.db, terminalId);
  if (!terminal) throw new AppError('FINDING_NOT_FOUND', `${findingId}: terminal ${terminalId} is gone`);
  const alreadyResolved = () => new AppError('FINDING_ALREADY_RESOLVED', findingId);
  const posted = await deps.movements.post({
    accountNo,
    idempotencyKey: `offline-hold#${terminalId}#${recordId}`,
    fingerprint: fingerprint({ type: 'offline_hold_approval', findingId, amountFen: record.amountFen }),
    plan: (account, today) =>
      planHeldOfflineApproval(account, { amountFen: record.amountFen, merchantId: terminal.merchantId, terminalId, recordId, operator: actor.username, reason: body.reason }, today),
    alsoWrite: (entry) => [
      { item: findingResolutionItem(deps.db, findingId, resolution), onConflict: alreadyResolved },
      {
        item: offlineHoldDecisionItem(deps.db, record, { outcome: 'applied', receiptNo: entry.receiptNo, balanceFen: entry.after.balanceFen, frozen: false }, decision),
        onConflict: alreadyResolved,
      },
      // A fresh entry id per attempt: only the attempt that commits leaves one.
      { item: { Put: logged() }, onConflict: () => 'retry' as const },
    ],
  });
  return { ...answer, receiptNo: posted.entry.receiptNo, balanceFen: posted.entry.after.balanceFen };
}
