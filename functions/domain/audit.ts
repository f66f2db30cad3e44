/**
 * The audit rules, pure. Per account: its purses must equal the sums of its ledger's deltas, every
 * entry's `after` must equal the running sums in ledger order, nothing may ever be negative, and
 * every entry's change must be the one its kind makes. Across the table: an external id is credited
 * or charged at most once, every pending thing is resolved or within its timeout, and the defects of
 * issue 11 (a card charged while void or lost, a QR token paying twice, a levelled card's record
 * deducted, a bank debit or a paid order left hanging) are named. Double entry: every entry's
 * transfers are of the accounts its kind may move between and derive its delta, and the books
 * balance (TrialBalance: debits = credits, overall and per campus day).
 */
import { PURSE_NAMES, SMALL_WALLET_CAP_FEN, type Account, type Purses } from './account';
import { BANK_TRANSFER_POLICY, BANK_TRANSFER_STATE, type BankTransferIntent } from './bank-transfer';
import { CARD_LOAD_POLICY, type CardLoadReservation } from './card-load';
import { isOverdue, type Pending, type PendingKind } from './pending';
import { cardStatusAt, type Card } from './card';
import { deltaOf, fundingAccountOf, parseAccount, systemAccountsOf, type AccountKind, type ParsedAccount } from './chart';
import type { LedgerEntry, MovementType, SystemEntry, SystemMovementType } from './ledger';
import { ORDER_STATE, TOPUP_POLICY, type TopupOrder } from './topup';

/** The only movements that may take money out of the transitional balance (to the chip, to the balance, or refunded at closing). */
const TRANSITIONAL_OUT: readonly MovementType[] = ['card_load', 'transitional_release', 'cancellation_refund', 'closing_settlement', 'fee'];

/** Kinds whose amount may be zero: a closing or levelling that finds nothing to move still records itself; a water session given back used nothing. */
const ZERO_AMOUNT_ALLOWED: readonly MovementType[] = ['cancellation_refund', 'closing_settlement', 'levelling', 'small_wallet_settle'];

export const AUDIT_POLICY = {
  /** Scheduled reconcilers run every 5 minutes; a pending thing this long past its timeout was missed. */
  reconcilerGraceMinutes: 15,
  /** Closings are settled hourly. */
  holdbackGraceMinutes: 120,
  /** Findings a stored report keeps (the log has them all). */
  storedFindingsCap: 500,
  /** Campus days of the trial balance a stored report keeps (the latest). */
  storedDaysCap: 62,
} as const;

export type AuditCheck = 'purses' | 'kind' | 'transfers' | 'trial_balance' | 'external_id' | 'pending' | 'card' | 'qr_token' | 'levelling' | 'consistency';

export interface AuditFinding {
  accountNo: string;
  check: AuditCheck;
  problem: string;
}

const finding = (accountNo: string, check: AuditCheck, problem: string): AuditFinding => ({ accountNo, check, problem });

/** `entries` in ledger (key) order, oldest first: purses against the running sums, and each entry against its kind. */
export function auditAccount(account: Account, entries: LedgerEntry[]): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const report = (problem: string, check: AuditCheck = 'purses') => findings.push(finding(account.accountNo, check, problem));
  const running = { balanceFen: 0, transitionalFen: 0, smallWalletFen: 0 };
  const purchases = new Map<string, number>();
  const refunded = new Map<string, number>();
  for (const entry of entries) {
    for (const purse of PURSE_NAMES) {
      running[purse] += entry.delta[purse];
      if (entry.after[purse] !== running[purse]) {
        report(`entry ${entry.entryId} (${entry.type}): ${purse} after is ${entry.after[purse]}, the ledger before it sums to ${running[purse]}`);
      }
      if (running[purse] < 0) report(`entry ${entry.entryId} (${entry.type}): ${purse} goes negative (${running[purse]})`);
    }
    if (running.smallWalletFen > SMALL_WALLET_CAP_FEN) report(`entry ${entry.entryId} (${entry.type}): the small wallet holds ${running.smallWalletFen}, above its cap of ${SMALL_WALLET_CAP_FEN}`, 'kind');
    if (!Number.isSafeInteger(entry.amountFen) || entry.amountFen < 0) report(`entry ${entry.entryId}: amount ${entry.amountFen} is not whole non-negative fen`, 'kind');
    // A fee takes transitional balance only as a replacement's release, which says how much.
    const transitionalOut = -entry.delta.transitionalFen;
    if (transitionalOut > 0 && (!TRANSITIONAL_OUT.includes(entry.type) || (entry.type === 'fee' && entry.releasedTransitionalFen !== transitionalOut))) {
      report(`entry ${entry.entryId} (${entry.type}): takes ${transitionalOut} out of the transitional balance, which this movement may not`, 'kind');
    }
    const kindProblem = entryKindProblem(entry);
    if (kindProblem) report(`entry ${entry.entryId} (${entry.type}): ${kindProblem}`, 'kind');
    // One finding per broken entry: transfers are judged once its change is the one its kind makes.
    else for (const problem of entryTransferProblems(entry)) report(`entry ${entry.entryId} (${entry.type}): ${problem}`, 'transfers');
    // A utility payment is refunded like a purchase when its delivery is finally refused.
    if (entry.type === 'purchase' || entry.type === 'utility_payment') purchases.set(entry.receiptNo, entry.amountFen);
    if (entry.type === 'refund') {
      const of = entry.refundOf ?? '';
      const total = (refunded.get(of) ?? 0) + entry.amountFen;
      refunded.set(of, total);
      const purchased = purchases.get(of);
      if (purchased === undefined) report(`entry ${entry.entryId} (refund): refunds ${of || 'no receipt'}, which is no earlier purchase of this account`, 'kind');
      else if (total > purchased) report(`entry ${entry.entryId} (refund): refunds ${total} in all of purchase ${of}, which was ${purchased}`, 'kind');
    }
  }
  for (const purse of PURSE_NAMES) {
    if (account[purse] !== running[purse]) report(`${purse} is ${account[purse]}, its ledger sums to ${running[purse]} (difference ${account[purse] - running[purse]})`);
    if (account[purse] < 0) report(`${purse} is negative (${account[purse]})`);
  }
  return findings;
}

/** The change each kind makes, given its amount; undefined when the entry's delta is that change. */
export function entryKindProblem(entry: Pick<LedgerEntry, 'type' | 'amountFen' | 'delta' | 'releasedTransitionalFen'>): string | undefined {
  const { amountFen: a, delta: d } = entry;
  if (!Number.isSafeInteger(a)) return undefined; // reported as an amount problem
  if (a === 0 && !ZERO_AMOUNT_ALLOWED.includes(entry.type)) return 'amount is 0, which this movement may not be';
  const is = (expected: Purses) => PURSE_NAMES.every((purse) => d[purse] === expected[purse]);
  const describe = (expected: Purses) => `changes ${deltaText(d)}, a ${entry.type} of ${a} changes ${deltaText(expected)}`;
  const expect = (expected: Purses) => (is(expected) ? undefined : describe(expected));
  const p = (balanceFen: number, transitionalFen: number, smallWalletFen: number): Purses => ({ balanceFen, transitionalFen, smallWalletFen });
  switch (entry.type) {
    case 'purchase':
    case 'utility_payment':
    case 'deposit_refund':
    case 'small_wallet_preload':
      return entry.type === 'small_wallet_preload' ? expect(p(-a, 0, a)) : expect(p(-a, 0, 0));
    case 'topup':
    case 'refund':
      return expect(p(a, 0, 0));
    case 'transitional_credit':
      return expect(p(0, a, 0));
    case 'card_load':
    case 'transitional_release':
      return expect(p(a, -a, 0));
    case 'fee': {
      const released = entry.releasedTransitionalFen ?? 0;
      return expect(p(released - a, -released, 0));
    }
    case 'adjustment':
      return is(p(a, 0, 0)) || is(p(-a, 0, 0)) ? undefined : `changes ${deltaText(d)}, an adjustment of ${a} changes the balance by ±${a} only`;
    case 'levelling':
      return is(p(a, 0, 0)) || is(p(-a, 0, 0)) ? undefined : `changes ${deltaText(d)}, a levelling of ${a} changes the balance by ±${a} only`;
    case 'small_wallet_settle':
      // The water used leaves the small wallet; of the rest, what goes back to the balance goes back (all of it at a controller's
      // second tap, none at a settlement terminal, whose chip still holds it).
      return d.transitionalFen === 0 && d.smallWalletFen <= -a && d.balanceFen === -d.smallWalletFen - a
        ? undefined
        : `changes ${deltaText(d)}, a settlement using ${a} takes ${a} out of the small wallet and returns only the rest to the balance`;
    case 'cancellation_refund':
    case 'closing_settlement': {
      const out = -(d.balanceFen + d.transitionalFen + d.smallWalletFen);
      if (PURSE_NAMES.some((purse) => d[purse] > 0)) return `changes ${deltaText(d)}: a ${entry.type} only takes money out`;
      return out === a ? undefined : `takes ${out} out, its amount says ${a}`;
    }
  }
}

/** The (debit kind, credit kind) pairs each movement may transfer between: chart.ts and ledger.ts KindTransfers, as stored data is checked. */
const ALLOWED_TRANSFERS = {
  topup: ['clearing>holder_balance', 'cash_desk>holder_balance'],
  transitional_credit: ['clearing>holder_transitional', 'cash_desk>holder_transitional'],
  purchase: ['holder_balance>merchant_payable'],
  refund: ['merchant_payable>holder_balance'],
  fee: ['holder_balance>fee_income', 'holder_transitional>holder_balance'],
  adjustment: ['adjustments>holder_balance', 'holder_balance>adjustments'],
  levelling: ['adjustments>holder_balance', 'holder_balance>adjustments'],
  card_load: ['holder_transitional>holder_balance'],
  transitional_release: ['holder_transitional>holder_balance'],
  small_wallet_preload: ['holder_balance>holder_small_wallet'],
  small_wallet_settle: ['holder_small_wallet>merchant_payable', 'holder_small_wallet>holder_balance'],
  cancellation_refund: closingPairs(),
  closing_settlement: closingPairs(),
  utility_payment: ['holder_balance>merchant_payable'],
  deposit_refund: ['holder_balance>clearing'],
} satisfies Record<MovementType, readonly `${AccountKind}>${AccountKind}`[]>;

function closingPairs(): `${AccountKind}>${AccountKind}`[] {
  return (['holder_balance', 'holder_transitional', 'holder_small_wallet'] as const).flatMap((purse) => [`${purse}>refunds_payable` as const, `${purse}>cash_desk` as const]);
}

/**
 * An entry's transfers against its kind and itself: each names two accounts of the chart of the
 * kinds this movement may move between (the holder's own purses, its merchant, its channel's
 * clearing, its refund's destination), moves positive whole fen, at most one system account in
 * all (the index and "no hot item" rest on it), and together they make exactly the entry's delta.
 */
export function entryTransferProblems(entry: LedgerEntry): string[] {
  const transfers: unknown = (entry as { transfers?: unknown }).transfers;
  if (!Array.isArray(transfers)) return ['has no transfers: a single-entry record (from before double entry, or written outside the movement store)'];
  const problems: string[] = [];
  const allowed: readonly string[] = ALLOWED_TRANSFERS[entry.type] ?? [];
  const expectedSystem = (parsed: ParsedAccount): string | undefined => {
    if (parsed.accountNo !== undefined && parsed.accountNo !== entry.accountNo) return `names holder ${parsed.accountNo}, not this account`;
    if (parsed.kind === 'merchant_payable' && parsed.merchantId !== entry.merchantId) return `names merchant ${parsed.merchantId}, the entry's merchant is ${entry.merchantId ?? 'none'}`;
    if ((parsed.kind === 'clearing' || parsed.kind === 'cash_desk') && (entry.type === 'topup' || entry.type === 'transitional_credit')) {
      const funding = fundingAccountOf(entry.channel);
      const named = parsed.kind === 'clearing' ? `clearing:${parsed.channel}` : 'cash_desk';
      if (named !== funding) return `takes the money from ${named}, a ${entry.channel} credit comes from ${funding}`;
    }
    if ((entry.type === 'cancellation_refund' || entry.type === 'closing_settlement') && entry.destination !== undefined) {
      const to = entry.destination === 'cash' ? 'cash_desk' : 'refunds_payable';
      if ((parsed.kind === 'cash_desk' || parsed.kind === 'refunds_payable') && parsed.kind !== to) return `refunds to ${parsed.kind}, the destination ${entry.destination} is ${to}`;
    }
    return undefined;
  };
  transfers.forEach((transfer: { debit?: unknown; credit?: unknown; amountFen?: unknown }, i) => {
    const at = `transfer ${i + 1}`;
    const debit = parseAccount(transfer?.debit);
    const credit = parseAccount(transfer?.credit);
    if (!debit || !credit) {
      problems.push(`${at} has ${!debit ? `no debit account of the chart (${String(transfer?.debit)})` : `no credit account of the chart (${String(transfer?.credit)})`}: a leg is missing`);
      return;
    }
    const amount = transfer.amountFen;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) problems.push(`${at} moves ${String(amount)}, not positive whole fen`);
    const pair = `${debit.kind}>${credit.kind}`;
    if (!allowed.includes(pair)) problems.push(`${at} moves ${String(transfer.debit)} → ${String(transfer.credit)}, which a ${entry.type} may not (${debit.kind} → ${credit.kind})`);
    for (const side of [debit, credit]) {
      const wrong = expectedSystem(side);
      if (wrong) problems.push(`${at} ${wrong}`);
    }
  });
  if (problems.length > 0) return problems;
  const named = systemAccountsOf(transfers);
  if (named.length > 1) problems.push(`names ${named.length} system accounts (${named.join(', ')}); an entry names at most one`);
  const derived = deltaOf(entry.accountNo, transfers);
  if (!PURSE_NAMES.every((purse) => derived[purse] === entry.delta[purse])) problems.push(`its delta is ${deltaText(entry.delta)}, its transfers make ${deltaText(derived)}`);
  return problems;
}

/** The (debit kind, credit kind) pairs each movement between system accounts may transfer (ledger.ts SystemKindTransfers). */
const SYSTEM_ALLOWED_TRANSFERS = {
  merchant_fee: ['merchant_payable>fee_income'],
  merchant_payout: ['merchant_payable>clearing'],
  payment_code_sale: ['clearing>merchant_payable'],
} satisfies Record<SystemMovementType, readonly `${AccountKind}>${AccountKind}`[]>;

/** A system entry against its kind: accounts of the chart its kind may move between, its merchant, positive whole fen summing to its amount. */
export function auditSystemEntry(entry: SystemEntry): AuditFinding[] {
  const at = (problem: string) => finding(BOOKS, 'transfers', `system entry ${entry.entryId} (${entry.type}): ${problem}`);
  const transfers: unknown = (entry as { transfers?: unknown }).transfers;
  const allowed: readonly string[] | undefined = (SYSTEM_ALLOWED_TRANSFERS as Record<string, readonly string[]>)[entry.type];
  if (!allowed) return [finding(BOOKS, 'kind', `system entry ${entry.entryId}: ${String(entry.type)} is no kind of movement between system accounts`)];
  if (!Array.isArray(transfers) || transfers.length === 0) return [at('has no transfers')];
  const problems: AuditFinding[] = [];
  let sum = 0;
  transfers.forEach((transfer: { debit?: unknown; credit?: unknown; amountFen?: unknown }, i) => {
    const debit = parseAccount(transfer?.debit);
    const credit = parseAccount(transfer?.credit);
    if (!debit || !credit) return problems.push(at(`transfer ${i + 1} names an account outside the chart`));
    const pair = `${debit.kind}>${credit.kind}`;
    if (!allowed.includes(pair)) problems.push(at(`transfer ${i + 1} moves ${String(transfer.debit)} → ${String(transfer.credit)}, which a ${entry.type} may not`));
    for (const side of [debit, credit]) {
      if (side.kind === 'merchant_payable' && side.merchantId !== entry.merchantId) problems.push(at(`transfer ${i + 1} names merchant ${side.merchantId}, the entry's merchant is ${entry.merchantId ?? 'none'}`));
    }
    const amount = transfer.amountFen;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) problems.push(at(`transfer ${i + 1} moves ${String(amount)}, not positive whole fen`));
    else sum += amount;
    return undefined;
  });
  if (problems.length === 0 && sum !== entry.amountFen) problems.push(at(`its transfers move ${sum}, its amount says ${entry.amountFen}`));
  return problems;
}

export interface TrialBalanceReport {
  debitsFen: number;
  creditsFen: number;
  /** Holder purses as their ledgers derive them (the account items are checked against those per account, check 'purses'). */
  holderPursesFen: number;
  /** Every system account's balance (credits − debits), by account. */
  systemAccounts: Record<string, number>;
  /** All merchants' payables together. */
  merchantsPayableFen: number;
  /** holder purses + system accounts: zero when the books balance. */
  totalFen: number;
  byDay: { campusDay: string; debitsFen: number; creditsFen: number }[];
}

/**
 * The trial balance: every transfer's debit and credit, per account and campus day. In the chart's
 * convention (balance = credits − debits) the books balance when debits = credits, on every day and
 * overall, and then the holder purses and the system accounts together are zero.
 */
export class TrialBalance {
  private debitsFen = 0;
  private creditsFen = 0;
  private holderFen = 0;
  private readonly system = new Map<string, number>();
  private readonly days = new Map<string, { debitsFen: number; creditsFen: number }>();

  note(entry: Pick<LedgerEntry | SystemEntry, 'campusDay'>): void {
    const transfers: unknown = (entry as { transfers?: unknown }).transfers;
    if (!Array.isArray(transfers)) return; // reported per entry ('transfers')
    const day = this.days.get(entry.campusDay) ?? { debitsFen: 0, creditsFen: 0 };
    this.days.set(entry.campusDay, day);
    for (const transfer of transfers as { debit?: unknown; credit?: unknown; amountFen?: unknown }[]) {
      const amount = typeof transfer?.amountFen === 'number' && Number.isSafeInteger(transfer.amountFen) ? transfer.amountFen : 0;
      const debit = parseAccount(transfer?.debit);
      const credit = parseAccount(transfer?.credit);
      if (debit) {
        day.debitsFen += amount;
        this.debitsFen += amount;
        this.move(String(transfer.debit), debit, -amount);
      }
      if (credit) {
        day.creditsFen += amount;
        this.creditsFen += amount;
        this.move(String(transfer.credit), credit, amount);
      }
    }
  }

  private move(ref: string, parsed: ParsedAccount, fen: number): void {
    if (parsed.accountNo !== undefined) this.holderFen += fen;
    else this.system.set(ref, (this.system.get(ref) ?? 0) + fen);
  }

  report(): TrialBalanceReport {
    const systemAccounts = Object.fromEntries([...this.system].sort(([a], [b]) => a.localeCompare(b)));
    const merchantsPayableFen = [...this.system].filter(([ref]) => ref.startsWith('merchant:')).reduce((sum, [, fen]) => sum + fen, 0);
    const systemFen = [...this.system.values()].reduce((sum, fen) => sum + fen, 0);
    const byDay = [...this.days].sort(([a], [b]) => a.localeCompare(b)).map(([campusDay, d]) => ({ campusDay, ...d }));
    return { debitsFen: this.debitsFen, creditsFen: this.creditsFen, holderPursesFen: this.holderFen, systemAccounts, merchantsPayableFen, totalFen: this.holderFen + systemFen, byDay };
  }

  findings(): AuditFinding[] {
    const report = this.report();
    const out: AuditFinding[] = [];
    for (const day of report.byDay) {
      if (day.debitsFen !== day.creditsFen) out.push(finding(BOOKS, 'trial_balance', `campus day ${day.campusDay}: debits ${day.debitsFen} ≠ credits ${day.creditsFen}`));
    }
    if (report.debitsFen !== report.creditsFen) out.push(finding(BOOKS, 'trial_balance', `overall: debits ${report.debitsFen} ≠ credits ${report.creditsFen}`));
    if (report.totalFen !== 0) out.push(finding(BOOKS, 'trial_balance', `holder purses (${report.holderPursesFen}) and system accounts together are ${report.totalFen}, not 0`));
    return out;
  }
}

/** The "account" a finding about the books as a whole names. */
export const BOOKS = 'books';

function deltaText(d: Purses): string {
  const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
  return `balance ${signed(d.balanceFen)}, transitional ${signed(d.transitionalFen)}, small wallet ${signed(d.smallWalletFen)}`;
}

/**
 * The ids from the outside world that may move money only once, across every idempotency key:
 * a platform or bank transaction credited, an offline record charged, a POS transaction charged.
 */
export function externalIdOf(entry: Pick<LedgerEntry, 'type' | 'channel' | 'externalRef' | 'terminalId'> | Pick<SystemEntry, 'type' | 'externalRef' | 'terminalId'>): string | undefined {
  if (entry.type === 'payment_code_sale') return `payment code sale ${entry.terminalId}/${entry.externalRef}`;
  if (entry.type === 'merchant_fee' || entry.type === 'merchant_payout') return `${entry.type} of ${entry.externalRef}`;
  if (!('channel' in entry)) return undefined;
  if ((entry.type === 'topup' || entry.type === 'transitional_credit') && (entry.channel === 'wechat' || entry.channel === 'alipay' || entry.channel === 'bank')) {
    return `${entry.channel} transaction ${entry.externalRef}`;
  }
  if (entry.type === 'purchase' && entry.channel === 'offline_pos') return `offline record ${entry.terminalId}/${entry.externalRef}`;
  if (entry.type === 'card_load') return `card load ${entry.externalRef}`;
  if (entry.type === 'purchase' && (entry.channel === 'pos' || entry.channel === 'qr')) return `POS transaction ${entry.terminalId}/${entry.externalRef}`;
  return undefined;
}

/** Where an entry is, for findings that name two. */
export type EntryRef = { accountNo: string; entryId: string };

/** Remembers the first entry of each external id and names every later one. */
export class ExternalIdRegister {
  private readonly seen = new Map<string, string>();

  note(entry: LedgerEntry | SystemEntry): AuditFinding | undefined {
    const id = externalIdOf(entry);
    if (id === undefined) return undefined;
    const accountNo = 'accountNo' in entry ? entry.accountNo : BOOKS;
    const here = `${accountNo}/${entry.entryId}`;
    const first = this.seen.get(id);
    if (first === undefined) {
      this.seen.set(id, here);
      return undefined;
    }
    return finding(accountNo, 'external_id', `${id} moved money twice: entry ${here} (${entry.type}) and entry ${first}`);
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }
}

/** What the audit knows of an offline record that a purchase entry charged. */
export interface OfflineRecordFacts {
  terminalId: string;
  recordId: string;
  occurredAt: string;
  result: { outcome: string; receiptNo?: string };
  cardId?: string;
  tokenId?: string;
}

/**
 * An offline purchase against the record it charged and the account's cards: charged once (the
 * record names this receipt), not on a card that was lost or void when it was used, and not a
 * levelled card's record from before its levelling (the levelling took that money already).
 */
export function auditOfflineCharge(account: Account, cards: Card[], entry: LedgerEntry, record: OfflineRecordFacts | undefined): AuditFinding[] {
  const report = (check: AuditCheck, problem: string) => finding(account.accountNo, check, `entry ${entry.entryId} (offline purchase of record ${entry.terminalId}/${entry.externalRef}): ${problem}`);
  if (!record) return [report('external_id', 'no stored offline record names it')];
  const findings: AuditFinding[] = [];
  if (record.result.outcome !== 'applied' || record.result.receiptNo !== entry.receiptNo) {
    findings.push(report('external_id', `the record says ${record.result.outcome}${record.result.receiptNo ? ` as receipt ${record.result.receiptNo}` : ''}: charged twice or charged when it was not applied`));
  }
  const card = record.cardId !== undefined ? cards.find((c) => c.cardId === record.cardId) : undefined;
  if (card) {
    const then = cardStatusAt(card, record.occurredAt);
    if (then !== 'active') findings.push(report('card', `made at ${record.occurredAt} with card ${card.cardId}, which was ${then} then`));
    if (account.levelledCardId === card.cardId && account.levelledAt !== undefined && record.occurredAt < account.levelledAt && entry.createdAt > account.levelledAt) {
      findings.push(report('levelling', `made at ${record.occurredAt} on card ${card.cardId}, levelled at ${account.levelledAt}: deducted after the levelling already took it`));
    }
  }
  return findings;
}

/** A used-token record (QRTOKEN): which payment spent it. */
export interface UsedToken {
  tokenId: string;
  usedFor: string;
}

/** The idempotency key a QR payment spends its token for (online at a POS, or an offline QR record). */
export function qrPaymentKey(entry: Pick<LedgerEntry, 'channel' | 'terminalId' | 'externalRef'>, offlineTokenId?: string): string | undefined {
  if (entry.channel === 'qr') return `pos#${entry.terminalId}#${entry.externalRef}`;
  if (entry.channel === 'offline_pos' && offlineTokenId !== undefined) return `offline#${entry.terminalId}#${entry.externalRef}`;
  return undefined;
}

/**
 * Every QR payment that is still inside the token's keep period must be named by its token's
 * used-token record: one that is not lost its register entry (expired early, overwritten by a
 * second payment with the same token), so the token could pay, or has paid, again.
 */
export function auditQrTokens(payments: (EntryRef & { key: string; tokenId?: string })[], used: UsedToken[]): AuditFinding[] {
  const byKey = new Map(used.map((token) => [token.usedFor, token.tokenId]));
  const byToken = new Map<string, string[]>();
  const findings: AuditFinding[] = [];
  for (const payment of payments) {
    if (payment.tokenId !== undefined) byToken.set(payment.tokenId, [...(byToken.get(payment.tokenId) ?? []), `${payment.accountNo}/${payment.entryId}`]);
    if (byKey.has(payment.key)) continue;
    const spentElsewhere = payment.tokenId !== undefined ? used.find((token) => token.tokenId === payment.tokenId) : undefined;
    findings.push(
      finding(
        payment.accountNo,
        'qr_token',
        `entry ${payment.entryId} (QR payment ${payment.key}): its token is not in the used-token register` +
          (spentElsewhere ? ` (token ${spentElsewhere.tokenId} is recorded as spent by ${spentElsewhere.usedFor}): the token paid twice` : ': it could pay again'),
      ),
    );
  }
  for (const [tokenId, entries] of byToken) {
    if (entries.length > 1) findings.push(finding(entries[0]!.split('/')[0]!, 'qr_token', `QR token ${tokenId} paid ${entries.length} times: entries ${entries.join(', ')}`));
  }
  return findings;
}

const minutesAfter = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/**
 * A top-up order (its pending transfer is judged with every other, auditPending): its status and its
 * pending state agree, a refund asked for is answered within its timeout, and (with `credited`:
 * whether a ledger credit of its platform transaction exists) a paid order was credited.
 */
export function auditOrder(order: TopupOrder, now: Date, credited: (externalId: string) => boolean): AuditFinding[] {
  const at = now.toISOString();
  const report = (problem: string) => [finding(order.accountNo, 'pending', `top-up order ${order.orderId} (${order.channel}, ${order.amountFen} fen): ${problem}`)];
  // A closed order may be voided or expired; a refund may follow either.
  const allowed = ORDER_STATE[order.status] === 'voided' ? ['voided', 'expired'] : [ORDER_STATE[order.status]];
  if (!allowed.includes(order.state)) return report(`is ${order.status} but its pending transfer is ${String(order.state)}`);
  if (order.status === 'refund_pending' && order.refund && minutesAfter(order.refund.requestedAt, TOPUP_POLICY.refundSettleMinutes + AUDIT_POLICY.reconcilerGraceMinutes) < at) {
    return report(`refund ${order.refund.refundId} asked for at ${order.refund.requestedAt} is still not answered by the platform`);
  }
  if (order.status === 'paid') {
    const id = `${order.channel} transaction ${order.platformTxnId ?? '?'}`;
    if (order.platformTxnId === undefined || !credited(id)) return report(`paid (${id}) but neither credited nor refunded`);
  }
  return [];
}

/**
 * A kiosk bank transfer (its pending transfer is judged with every other, auditPending): its status
 * and pending state agree, a reversal is answered by the bank within the bank's timeout and the
 * reconciler's grace, and credited means a credit in the ledger.
 */
export function auditBankTransfer(intent: BankTransferIntent, now: Date, credited: (externalId: string) => boolean): AuditFinding[] {
  const report = (problem: string) => [finding(intent.accountNo, 'pending', `bank transfer ${intent.terminalId}/${intent.transferId} (${intent.amountFen} fen): ${problem}`)];
  // Refused or expired after a reversal was asked for: voided when the reversal began.
  const allowed = intent.status === 'refused' || intent.status === 'expired' ? ['voided', 'expired'] : [BANK_TRANSFER_STATE[intent.status]];
  if (!allowed.includes(intent.state)) return report(`is ${intent.status} but its pending transfer is ${String(intent.state)}`);
  if (intent.status === 'reversing' && minutesAfter(intent.updatedAt, BANK_TRANSFER_POLICY.abandonAfterMinutes + AUDIT_POLICY.reconcilerGraceMinutes) < now.toISOString()) {
    return report(`reversing since ${intent.updatedAt}, past the bank's timeout: the bank debit has no credit and no reversal`);
  }
  if (intent.status === 'credited' && (intent.bankTxnId === undefined || !credited(`bank transaction ${intent.bankTxnId}`))) {
    return report(`credited (bank transaction ${intent.bankTxnId ?? '?'}) but no ledger entry credits it`);
  }
  return [];
}

/** How long past its timeout each kind may still be pending before the audit reports it (its resolver runs every few minutes). */
const PENDING_GRACE_MINUTES = {
  topup_order: AUDIT_POLICY.reconcilerGraceMinutes,
  bank_transfer: AUDIT_POLICY.reconcilerGraceMinutes,
  // Settled by the card's next tap only.
  card_load: CARD_LOAD_POLICY.settleWithinMinutes,
  small_wallet_preload: AUDIT_POLICY.reconcilerGraceMinutes,
  utility_delivery: AUDIT_POLICY.reconcilerGraceMinutes,
  payment_code: AUDIT_POLICY.reconcilerGraceMinutes,
} satisfies Record<PendingKind, number>;

/** A pending transfer still pending past its timeout and its resolver's grace: nobody resolved it. */
export function auditPending(record: Pending & { accountNo?: string }, id: string, now: Date): AuditFinding[] {
  const grace = PENDING_GRACE_MINUTES[record.pendingKind] ?? AUDIT_POLICY.reconcilerGraceMinutes;
  if (!isOverdue(record, now, grace)) return [];
  const { transfer } = record;
  return [
    finding(
      record.accountNo ?? BOOKS,
      'pending',
      `pending ${record.pendingKind} ${id} (${transfer.amountFen} fen, ${transfer.debit} → ${transfer.credit}) since ${record.createdAt}, past its timeout ${record.timeoutAt} by more than ${grace} minutes: neither posted, voided nor expired`,
    ),
  ];
}

/**
 * The outside records that say money moved, against the ledger (`moved`: whether an entry moved
 * money under that external id): an offline record applied must have its charge, a card load
 * posted its load; and a card load voided or expired (`loadEntry`: the entry that loaded it, if
 * any) must not have moved money.
 */
export function auditOfflineRecord(record: OfflineRecordFacts & { accountNo?: string }, moved: (externalId: string) => boolean): AuditFinding[] {
  if (record.result.outcome !== 'applied' || moved(`offline record ${record.terminalId}/${record.recordId}`)) return [];
  return [finding(record.accountNo ?? BOOKS, 'external_id', `offline record ${record.terminalId}/${record.recordId} says applied as receipt ${record.result.receiptNo ?? '?'}, but no ledger entry charges it`)];
}

export function auditCardLoadRecord(load: CardLoadReservation, moved: (externalId: string) => boolean): AuditFinding[] {
  const loaded = moved(`card load ${load.loadId}`);
  if (load.state === 'posted' && !loaded) return [finding(load.accountNo, 'pending', `card load ${load.loadId} (${load.amountFen} fen) is posted, but no ledger entry loads it`)];
  if (load.state !== 'posted' && load.state !== 'pending' && loaded) return [finding(load.accountNo, 'pending', `card load ${load.loadId} (${load.amountFen} fen) is ${load.state}, but a ledger entry loaded it`)];
  return [];
}

/** A closing's holdback is settled by the hourly job once it ends. */
export function auditHoldback(holdback: { accountNo: string; heldBackFen: number; holdbackUntil: string }, now: Date): AuditFinding[] {
  if (minutesAfter(holdback.holdbackUntil, AUDIT_POLICY.holdbackGraceMinutes) >= now.toISOString()) return [];
  return [finding(holdback.accountNo, 'pending', `closing holdback of ${holdback.heldBackFen} fen ended at ${holdback.holdbackUntil} and is still not settled`)];
}
