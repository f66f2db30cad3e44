/**
 * The ledger audit (`npm run audit`, and nightly as `auditLedger`): every account against its own
 * ledger and every entry against its kind and its transfers, the trial balance (debits = credits,
 * overall and per campus day), external ids moved once across all keys, pending things
 * resolved within their timeouts, and issue 11's defects. Scan segments are read concurrently;
 * per-account reads are bounded. Right while money moves: an account and its ledger are judged as
 * of the account as read (its `lastEntryId`), never as a race between two reads.
 */
import type { Deps } from '../deps';
import type { Account } from '../domain/account';
import { addDays } from '../domain/campus-day';
import {
  auditAccount,
  auditBankTransfer,
  auditPending,
  auditOfflineRecord,
  auditCardLoadRecord,
  auditHoldback,
  auditOfflineCharge,
  auditOrder,
  auditQrTokens,
  auditSystemEntry,
  AUDIT_POLICY,
  ExternalIdRegister,
  qrPaymentKey,
  TrialBalance,
  type AuditFinding,
  type TrialBalanceReport,
  type UsedToken,
} from '../domain/audit';
import type { BankTransferIntent } from '../domain/bank-transfer';
import { PENDING_KINDS, type Pending } from '../domain/pending';
import type { CardLoadReservation } from '../domain/card-load';
import type { LedgerEntry, SystemEntry } from '../domain/ledger';
import { USED_PAY_TOKEN_KEEP_SECONDS } from '../domain/offline';
import type { TopupOrder } from '../domain/topup';
import { getAccount } from '../store/accounts';
import { getAuditReport, isAccountItem, putAuditReport, readAccountPartition, scanAuditSegment, scannedAccount, scannedKind, scannedUsedToken, type ScannedItem } from '../store/audit-reads';
import type { Db } from '../store/db';
import { withoutKeys } from '../store/keys';
import { getOfflineRecord, type StoredOfflineRecord } from '../store/offline';
import { listOpenPending } from '../store/pending';

export interface AuditProgress {
  accountsChecked: number;
  entriesChecked: number;
  itemsScanned: number;
  elapsedMs: number;
  entriesPerSecond: number;
  accountsPerSecond: number;
  /** Time left at the current rate, when the number of accounts is expected (`expectedAccounts`). */
  etaMs?: number;
}

export interface AuditReport extends AuditProgress {
  findings: AuditFinding[];
  /** False when the time budget ran out before every segment was read (the counts say how far it got). */
  complete: boolean;
  startedAt: string;
  /** Accounts whose ledger moved while they were read, judged as of the account read first. */
  movedWhileRead: number;
  /** The books: debits and credits (overall and per campus day) and every system account's balance. */
  trialBalance: TrialBalanceReport;
}

export interface AuditOptions {
  /** Parallel scan segments, all read at once. */
  segments?: number;
  /** Accounts checked at once, across all segments. */
  concurrency?: number;
  /** The time the timeouts are judged at; `now` of the platform's clock. */
  clock?: () => Date;
  /** Stop reading new pages after this long (the nightly Lambda's budget); the report says it is incomplete. */
  budgetMs?: number;
  onProgress?: (progress: AuditProgress) => void;
  /** How many accounts there are about to be (the last report's count): progress then has an ETA. */
  expectedAccounts?: number;
  progressEveryMs?: number;
  /** Scan page size (tests use a small one to make many pages). */
  pageSize?: number;
}

/** Entries committed while an account is read commit with the account, so a fresh read of it covers them (read at most this often). */
const CONFIRM_READS = 3;
/** A commit may come after the time stamped on it (retries): orders and intents paid within this before the audit began are not judged against the ledger. */
const COMMIT_MARGIN_MS = 5 * 60_000;

export async function auditLedger(db: Db, options: AuditOptions = {}): Promise<AuditReport> {
  const clock = options.clock ?? (() => new Date());
  const started = clock();
  const t0 = performance.now();
  const segments = options.segments ?? 4;
  const findings: AuditFinding[] = [];
  const register = new ExternalIdRegister();
  const books = new TrialBalance();
  const qrPayments: { accountNo: string; entryId: string; key: string; tokenId?: string }[] = [];
  const usedTokens: UsedToken[] = [];
  const orders: TopupOrder[] = [];
  const intents: BankTransferIntent[] = [];
  const loads: CardLoadReservation[] = [];
  const offlineRecords: StoredOfflineRecord[] = [];
  const counts = { accountsChecked: 0, entriesChecked: 0, itemsScanned: 0, movedWhileRead: 0 };
  let complete = true;

  const progress = (): AuditProgress => {
    const elapsedMs = Math.round(performance.now() - t0);
    const perSecond = (n: number) => (elapsedMs > 0 ? Math.round((n * 1000) / elapsedMs) : 0);
    const { accountsChecked } = counts;
    const expected = options.expectedAccounts;
    // Accounts differ in length of ledger, so the ETA is by accounts; past the expected count it says "any moment".
    const etaMs = expected !== undefined && accountsChecked > 0 ? Math.max(0, Math.round(((expected - accountsChecked) * elapsedMs) / accountsChecked)) : undefined;
    return { ...counts, elapsedMs, entriesPerSecond: perSecond(counts.entriesChecked), accountsPerSecond: perSecond(accountsChecked), ...(etaMs !== undefined ? { etaMs } : {}) };
  };
  let lastProgress = performance.now();
  const tick = () => {
    if (!options.onProgress || performance.now() - lastProgress < (options.progressEveryMs ?? 1_000)) return;
    lastProgress = performance.now();
    options.onProgress(progress());
  };

  const qrKeepFrom = new Date(started.getTime() - USED_PAY_TOKEN_KEEP_SECONDS * 1000).toISOString();
  const startedIso = started.toISOString();

  async function checkAccount(scanned: Account): Promise<void> {
    const partition = await readAccountPartition(db, scanned.accountNo);
    const { audited, problem, moved } = await asOfAccount(db, scanned, partition.entries);
    if (moved) counts.movedWhileRead++;
    if (problem) findings.push(problem);
    findings.push(...auditAccount(scanned, audited));
    if (partition.holdback) findings.push(...auditHoldback(partition.holdback, started));
    for (const entry of audited) {
      books.note(entry);
      const twice = register.note(entry);
      if (twice) findings.push(twice);
      if (entry.type !== 'purchase') continue;
      let tokenId: string | undefined;
      if (entry.channel === 'offline_pos' && entry.terminalId !== undefined) {
        const record = await getOfflineRecord(db, entry.terminalId, entry.externalRef);
        findings.push(...auditOfflineCharge(scanned, partition.cards, entry, record));
        tokenId = record?.tokenId;
      }
      // Only payments committed before the audit began: their used-token records were there for the scan to read.
      const key = qrPaymentKey(entry, tokenId);
      if (key !== undefined && entry.createdAt < startedIso && entry.createdAt >= qrKeepFrom) {
        qrPayments.push({ accountNo: entry.accountNo, entryId: entry.entryId, key, ...(tokenId !== undefined ? { tokenId } : {}) });
      }
    }
    counts.accountsChecked++;
    counts.entriesChecked += audited.length;
    tick();
  }

  const limit = semaphore(options.concurrency ?? 16);
  const running = new Set<Promise<void>>();
  let failure: unknown;

  function take(item: ScannedItem): void {
    counts.itemsScanned++;
    if (isAccountItem(item)) return;
    const kind = scannedKind(item);
    const value = withoutKeys(item) as unknown;
    if (kind === 'order') orders.push(value as TopupOrder);
    else if (kind === 'bank_transfer') intents.push(value as BankTransferIntent);
    else if (kind === 'card_load') loads.push(value as CardLoadReservation);
    else if (kind === 'offline_record') offlineRecords.push(value as StoredOfflineRecord);
    else if (kind === 'used_token') usedTokens.push(scannedUsedToken(item));
    else if (kind === 'system_entry') {
      // Between two system accounts: no purse to check it against, only its kind and the books.
      const entry = value as SystemEntry;
      findings.push(...auditSystemEntry(entry));
      books.note(entry);
      const twice = register.note(entry);
      if (twice) findings.push(twice);
      counts.entriesChecked++;
    }
  }

  async function readSegment(segment: number): Promise<void> {
    for await (const page of scanAuditSegment(db, segment, segments, options.pageSize)) {
      for (const item of page) {
        take(item);
        if (!isAccountItem(item)) continue;
        const release = await limit();
        if (failure) return; // reported below, once every segment has stopped
        const task = checkAccount(scannedAccount(item))
          .catch((error: unknown) => {
            failure ??= error;
          })
          .finally(() => {
            release();
            running.delete(task);
          });
        running.add(task);
      }
      tick();
      if (options.budgetMs !== undefined && performance.now() - t0 > options.budgetMs) {
        complete = false;
        return;
      }
    }
  }

  // Every pending transfer still pending, of every kind, from its open index: resolved or within its timeout.
  const openPending = Promise.all(PENDING_KINDS.map((kind) => listOpenPending<Pending & { pendingId: string; accountNo?: string }>(db, kind)));
  await Promise.all(Array.from({ length: segments }, (_, segment) => readSegment(segment)));
  await Promise.all([...running]);
  if (failure) throw failure;

  // Joins across the table, once every account's ledger has been read.
  const settledBefore = new Date(started.getTime() - COMMIT_MARGIN_MS).toISOString();
  const credited = (id: string) => register.has(id);
  if (complete) {
    for (const order of orders) {
      if (order.status === 'paid' && !(order.paidAt !== undefined && order.paidAt < settledBefore)) continue;
      findings.push(...auditOrder(order, started, credited));
    }
    for (const intent of intents) {
      if (intent.status === 'credited' && !(intent.updatedAt < settledBefore)) continue;
      findings.push(...auditBankTransfer(intent, started, credited));
    }
    for (const records of await openPending) for (const record of records) findings.push(...auditPending(record, record.pendingId, started));
    // The outside records that say money moved, against the ledger (settled a while before the audit began: their entries were there to read).
    for (const record of offlineRecords) if (record.receivedAt < settledBefore) findings.push(...auditOfflineRecord(record, credited));
    for (const load of loads) if ((load.resolvedAt ?? load.createdAt) < settledBefore) findings.push(...auditCardLoadRecord(load, credited));
    findings.push(...auditQrTokens(qrPayments, usedTokens));
    // Only over every account: a partial read balances by accident at best.
    findings.push(...books.findings());
  }
  options.onProgress?.(progress());
  return { ...progress(), findings, complete, startedAt: startedIso, movedWhileRead: counts.movedWhileRead, trialBalance: books.report() };
}

/**
 * The account's ledger as of the account as read: entries up to its `lastEntryId` (each movement
 * commits its entry with the account, and entry ids only grow, so those are exactly the entries the
 * account's purses include). Entries after it were committed since; a fresh read of the account
 * must then cover them, or they were written without the account. (An account from before
 * `lastEntryId` existed that has not moved since is judged on its whole ledger.)
 */
async function asOfAccount(db: Db, account: Account, entries: LedgerEntry[]): Promise<{ audited: LedgerEntry[]; problem?: AuditFinding; moved: boolean }> {
  const last = account.lastEntryId;
  const audited = last === undefined ? [] : entries.filter((entry) => entry.entryId <= last);
  const later = entries.slice(audited.length);
  const missing: AuditFinding | undefined =
    last !== undefined && audited.at(-1)?.entryId !== last
      ? { accountNo: account.accountNo, check: 'consistency', problem: `the account's last entry ${last} is not in its ledger` }
      : undefined;
  if (later.length === 0) return { audited, moved: false, ...(missing ? { problem: missing } : {}) };
  const newest = later.at(-1)!.entryId;
  for (let read = 0; read < CONFIRM_READS; read++) {
    const fresh = await getAccount(db, account.accountNo);
    if (fresh?.lastEntryId !== undefined && fresh.lastEntryId >= newest) return { audited, moved: true, ...(missing ? { problem: missing } : {}) };
    // Written before accounts recorded their last entry, and not moved since: its whole ledger is its own.
    if (last === undefined && fresh !== undefined && fresh.lastEntryId === undefined) return { audited: entries, moved: false };
  }
  return {
    audited,
    moved: false,
    problem: missing ?? {
      accountNo: account.accountNo,
      check: 'consistency',
      problem: `entries ${later.map((entry) => entry.entryId).join(', ')} come after the account's last entry ${last ?? '(none)'}: written without the account`,
    },
  };
}

/** At most `max` at once: `await limit()` waits for a slot and returns its release. */
function semaphore(max: number): () => Promise<() => void> {
  let active = 0;
  const waiting: (() => void)[] = [];
  // A released slot passes straight to the next waiter, so no newcomer can take it in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async () => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    return release;
  };
}

export interface NightlyAuditSummary {
  campusDay: string;
  accountsChecked: number;
  entriesChecked: number;
  findingCount: number;
  complete: boolean;
  durationMs: number;
}

/** The nightly audit's error lines: serverless.yml's metric filters count them (AuditFindings, AuditIncomplete alarms). */
export const AUDIT_LOG = {
  finding: 'ledger audit finding',
  incomplete: 'ledger audit ran out of time before reading every account',
  progress: 'ledger audit progress',
} as const;

/** Last night's count of accounts (its stored report), so tonight's progress can say how long is left. */
export async function expectedAccountsFromLastNight(db: Db, campusDay: string): Promise<number | undefined> {
  const lastNight = await getAuditReport(db, addDays(campusDay, -1));
  return typeof lastNight?.accountsChecked === 'number' ? lastNight.accountsChecked : undefined;
}

/**
 * The nightly run: the audit within `budgetMs`, its report stored for the card centre
 * (AUDITREPORT#<campusDay>: counts, duration and the first findings), and each finding logged as
 * an error so an alarm on error lines fires.
 */
export async function runNightlyAudit(deps: Pick<Deps, 'db' | 'clock' | 'logger'>, campusDay: string, budgetMs: number): Promise<NightlyAuditSummary> {
  const expectedAccounts = await expectedAccountsFromLastNight(deps.db, campusDay);
  const report = await auditLedger(deps.db, {
    clock: deps.clock,
    budgetMs,
    ...(expectedAccounts !== undefined ? { expectedAccounts } : {}),
    // A line a minute in CloudWatch: how far a long night got, at what rate, and how long is left.
    progressEveryMs: 60_000,
    onProgress: (progress) => deps.logger.info(AUDIT_LOG.progress, { ...progress }),
  });
  for (const finding of report.findings) deps.logger.error(AUDIT_LOG.finding, { ...finding });
  const summary: NightlyAuditSummary = {
    campusDay,
    accountsChecked: report.accountsChecked,
    entriesChecked: report.entriesChecked,
    findingCount: report.findings.length,
    complete: report.complete,
    durationMs: report.elapsedMs,
  };
  await putAuditReport(deps.db, campusDay, {
    ...summary,
    startedAt: report.startedAt,
    itemsScanned: report.itemsScanned,
    entriesPerSecond: report.entriesPerSecond,
    movedWhileRead: report.movedWhileRead,
    trialBalance: { ...report.trialBalance, byDay: report.trialBalance.byDay.slice(-AUDIT_POLICY.storedDaysCap) },
    findings: report.findings.slice(0, AUDIT_POLICY.storedFindingsCap),
    findingsCapped: report.findings.length > AUDIT_POLICY.storedFindingsCap,
  });
  if (!report.complete) deps.logger.error(AUDIT_LOG.incomplete, { ...summary });
  else deps.logger.info('ledger audit', { ...summary });
  return summary;
}

