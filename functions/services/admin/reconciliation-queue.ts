/**
 * The card centre's reconciliation queue: what needs a person, in one list, each item with the
 * audited action that resolves it. Frozen accounts → unfreeze; held offline records (an
 * `offline_record_held` finding is made with each hold) and other findings → the finding
 * resolution; pending transfers past their timeout → their reconciler (a scheduled run, also
 * started by hand), or for a card load the card's next tap. Counts are of every item, whatever the page.
 */
import type { z } from 'zod';
import type { QUEUE_PENDING_KINDS, RECONCILIATION_QUEUE_KINDS, reconciliationQueue as queueView, reconciliationQueueItem } from '../../../shared/api/console';
import type { FindingSource } from '../../../shared/vocabulary';
import type { Deps } from '../../deps';
import { PENDING_KINDS, type Pending, type PendingKind } from '../../domain/pending';
import { getOfflineRecord } from '../../store/offline';
import { listDuePending } from '../../store/pending';
import { listAllOpenFindings, listFrozenAccounts } from '../../store/reconciliation-queue';
import { countOpenDisputes } from '../../store/disputes';
import type { ReconciliationFinding } from '../../store/reconciliation-findings';

type Item = z.infer<typeof reconciliationQueueItem>;
type QueueKind = (typeof RECONCILIATION_QUEUE_KINDS)[number];

// The contract's copy of the pending kinds must be exactly the domain's.
const SAME_KINDS: [PendingKind, (typeof QUEUE_PENDING_KINDS)[number]] extends [(typeof QUEUE_PENDING_KINDS)[number], PendingKind] ? true : never = true;
void SAME_KINDS;

/** What settles a stuck pending transfer of each kind: its reconciler's npm script (card loads: only the card's next tap). */
const SETTLED_BY: Record<PendingKind, string | undefined> = {
  topup_order: 'npm run reconcile:topups',
  bank_transfer: 'npm run reconcile:bank',
  card_load: undefined,
  small_wallet_preload: 'npm run return:water',
  utility_delivery: 'npm run deliver:utilities',
  payment_code: 'npm run resolve:payment-codes',
};

type DuePending = Pending & { pendingId: string; accountNo?: string };

const isHeldOffline = (finding: ReconciliationFinding) => finding.source === 'offline_upload' && finding.kind === 'offline_record_held';

/** The order of the queue and of its cursor: since when, then kind, then id. */
const positionOf = (item: Pick<Item, 'at' | 'kind' | 'id'>) => [item.at, item.kind, item.id] as const;
function compare(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
const cursorOf = (item: Item) => positionOf(item).join('|');

function findingItem(finding: ReconciliationFinding, kind: 'held_offline' | 'finding', why: string): Item {
  return {
    kind,
    id: finding.findingId,
    ...(finding.accountNo !== undefined ? { accountNo: finding.accountNo } : {}),
    at: finding.createdAt,
    ...(finding.outsideFen !== undefined ? { amountFen: finding.outsideFen } : {}),
    why,
    detail: finding.detail,
    source: finding.source,
    ref: finding.ref,
    resolve:
      kind === 'held_offline'
        ? { action: 'resolve_offline_hold', route: `/v1/admin/offline-holds/${finding.findingId}/resolution` }
        : { action: 'resolve_finding', route: `/v1/admin/reconciliation-findings/${finding.findingId}/resolution` },
  };
}

/** Why an offline record was held, from the record itself (ref `<terminal>/<record>`); the finding's kind if it cannot be read. */
async function holdReason(deps: Pick<Deps, 'db'>, finding: ReconciliationFinding): Promise<string> {
  const slash = finding.ref.indexOf('/');
  if (slash < 0) return finding.kind;
  const record = await getOfflineRecord(deps.db, finding.ref.slice(0, slash), finding.ref.slice(slash + 1));
  return record?.result.outcome === 'held' ? record.result.reason : finding.kind;
}

export async function reconciliationQueue(
  deps: Pick<Deps, 'db' | 'clock'>,
  query: { kind?: QueueKind | undefined; cursor?: string | undefined; limit: number },
): Promise<z.infer<typeof queueView>> {
  const now = deps.clock();
  const [frozen, findings, due, openDisputes] = await Promise.all([
    listFrozenAccounts(deps.db),
    listAllOpenFindings(deps.db),
    Promise.all(PENDING_KINDS.map((kind) => listDuePending<DuePending>(deps.db, kind, now))),
    countOpenDisputes(deps.db),
  ]);
  const stuck = due.flat();

  const items: Item[] = [
    ...frozen.map(
      (account): Item => ({
        kind: 'frozen_account',
        id: account.accountNo,
        accountNo: account.accountNo,
        at: account.frozenAt,
        amountFen: account.balanceFen,
        why: account.frozenReason ?? 'unrecorded',
        resolve: { action: 'unfreeze_account', route: `/v1/admin/accounts/${account.accountNo}/unfreeze` },
      }),
    ),
    // The hold's reason is read below, for the page's held records only.
    ...findings.map((finding) => (isHeldOffline(finding) ? findingItem(finding, 'held_offline', finding.kind) : findingItem(finding, 'finding', finding.kind))),
    ...stuck.map((pending): Item => {
      const script = SETTLED_BY[pending.pendingKind];
      return {
        kind: 'stuck_pending',
        id: pending.pendingId,
        ...(pending.accountNo !== undefined ? { accountNo: pending.accountNo } : {}),
        at: pending.timeoutAt,
        amountFen: pending.transfer.amountFen,
        why: pending.pendingKind,
        pendingKind: pending.pendingKind,
        resolve: script !== undefined ? { action: 'run_reconciler', script } : { action: 'await_card_tap' },
      };
    }),
  ].sort((a, b) => compare(positionOf(a), positionOf(b)));

  const after = query.cursor?.split('|');
  const chosen = items.filter((item) => (query.kind === undefined || item.kind === query.kind) && (after === undefined || compare(positionOf(item), after) > 0));
  const page = chosen.slice(0, query.limit);
  const withReasons = await Promise.all(
    page.map(async (item) => {
      const finding = item.kind === 'held_offline' ? findings.find((f) => f.findingId === item.id) : undefined;
      return finding ? { ...item, why: await holdReason(deps, finding) } : item;
    }),
  );

  const findingsBySource: Partial<Record<FindingSource, number>> = {};
  for (const finding of findings) findingsBySource[finding.source] = (findingsBySource[finding.source] ?? 0) + 1;
  const stuckPendingByKind: Partial<Record<PendingKind, number>> = {};
  for (const pending of stuck) stuckPendingByKind[pending.pendingKind] = (stuckPendingByKind[pending.pendingKind] ?? 0) + 1;
  const count = (kind: QueueKind) => items.filter((item) => item.kind === kind).length;
  const last = page[page.length - 1];
  return {
    items: withReasons,
    counts: { frozen_account: count('frozen_account'), held_offline: count('held_offline'), finding: count('finding'), stuck_pending: count('stuck_pending') },
    findingsBySource,
    stuckPendingByKind,
    openDisputes,
    ...(chosen.length > page.length && last ? { nextCursor: cursorOf(last) } : {}),
  };
}
