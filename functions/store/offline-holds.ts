/**
 * The writes of the card centre's decision on a held offline record: the record's outcome (held →
 * applied or rejected, only while still held) and its finding resolved (only while open), committed
 * with the decision's money (the movement's `alsoWrite`) or alone with its action-log entry.
 */
import { transactWriteIfFirstHolds } from './conditions';
import type { Db } from './db';
import { keys } from './keys';
import type { OfflineOutcome } from './offline';
import type { TransactItem } from './movements';

/**
 * The record's new outcome, only while it is held; `decision` keeps who decided, when and why. A
 * later upload of the same record answers with the new outcome (the POS sees it was settled).
 */
export function offlineHoldDecisionItem(
  db: Db,
  record: { terminalId: string; recordId: string },
  result: Extract<OfflineOutcome, { outcome: 'applied' | 'rejected' }>,
  decision: { decision: 'approve' | 'reject'; by: string; at: string; reason: string; heldFor: string },
): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.offlineRecord(record.terminalId, record.recordId),
      UpdateExpression: 'SET #result = :result, cardCentreDecision = :decision',
      ConditionExpression: '#result.#outcome = :held',
      ExpressionAttributeNames: { '#result': 'result', '#outcome': 'outcome' },
      ExpressionAttributeValues: { ':result': result, ':decision': decision, ':held': 'held' },
    },
  };
}

/** A rejection: the finding resolved and the record refused, with the action-log entry; false if the finding was no longer open. */
export function rejectOfflineHold(db: Db, items: { finding: TransactItem; record: TransactItem; alsoWrite: TransactItem[] }): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [items.finding, items.record, ...items.alsoWrite]);
}
