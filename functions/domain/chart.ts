/**
 * The chart of accounts (docs/data-model.md, "Double entry"), in TigerBeetle's vocabulary: money
 * only ever moves as transfers from a debit account to a credit account.
 *
 * Sign convention, one for every account: an account's balance is its credits minus its debits, and
 * a transfer of `amountFen` takes it from `debit` and gives it to `credit`. Holder purses are what
 * the card centre owes its holders (credited by a top-up, debited by a purchase); a clearing account
 * or the cash desk goes negative by what came in through it; a merchant's payable is positive by
 * what the card centre owes the merchant. Every transfer adds to one account what it takes from
 * another, so all balances together (holder purses + system accounts) are always zero.
 *
 * Account references are strings (they are stored), typed by template literals so that a transfer
 * to the wrong kind of account does not type-check (see ledger.ts, per movement kind).
 */
import type { Purses } from './account';

export const HOLDER_PURSES = ['balance', 'transitional', 'small_wallet'] as const;
export type HolderPurse = (typeof HOLDER_PURSES)[number];

export type HolderBalance = `holder:${string}:balance`;
export type HolderTransitional = `holder:${string}:transitional`;
export type HolderSmallWallet = `holder:${string}:small_wallet`;
export type HolderAccount = HolderBalance | HolderTransitional | HolderSmallWallet;

export const CLEARING_CHANNELS = ['wechat', 'alipay', 'bank'] as const;
export type ClearingChannel = (typeof CLEARING_CHANNELS)[number];
export type ClearingAccount = `clearing:${ClearingChannel}`;
export type CashDesk = 'cash_desk';
export type MerchantPayable = `merchant:${string}:payable`;
export type FeeIncome = 'fee_income';
/** Money owed back to a bank card or a payer (closings refunded to a bank card). */
export type RefundsPayable = 'refunds_payable';
/**
 * Open disputes the card centre carries (reserved: nothing moves there yet). A held offline record
 * moves nothing: its claim is a finding in the reconciliation queue until the card centre decides.
 */
export type Suspense = 'suspense';
/** Card-centre adjustments and levelling. */
export type Adjustments = 'adjustments';

/** Where money from outside comes in: a platform's or the bank's clearing, or the cash desk. */
export type FundingAccount = ClearingAccount | CashDesk;
export type SystemAccount = FundingAccount | MerchantPayable | FeeIncome | RefundsPayable | Suspense | Adjustments;
export type AccountRef = HolderAccount | SystemAccount;

/** A movement of `amountFen` (positive whole fen) from `debit` to `credit`. */
export interface Transfer<D extends AccountRef = AccountRef, C extends AccountRef = AccountRef> {
  debit: D;
  credit: C;
  amountFen: number;
}

export const holder = {
  balance: (accountNo: string): HolderBalance => `holder:${accountNo}:balance`,
  transitional: (accountNo: string): HolderTransitional => `holder:${accountNo}:transitional`,
  smallWallet: (accountNo: string): HolderSmallWallet => `holder:${accountNo}:small_wallet`,
};

export const system = {
  clearing: (channel: ClearingChannel): ClearingAccount => `clearing:${channel}`,
  cashDesk: 'cash_desk' as CashDesk,
  merchantPayable: (merchantId: string): MerchantPayable => `merchant:${merchantId}:payable`,
  feeIncome: 'fee_income' as FeeIncome,
  refundsPayable: 'refunds_payable' as RefundsPayable,
  suspense: 'suspense' as Suspense,
  adjustments: 'adjustments' as Adjustments,
};

/** Where a top-up's money came in: the platform's or bank's clearing; anything else is cash at the counter. */
export function fundingAccountOf(channel: string): FundingAccount {
  return (CLEARING_CHANNELS as readonly string[]).includes(channel) ? system.clearing(channel as ClearingChannel) : system.cashDesk;
}

/** The kind of a reference, as stored (for the audit, which must not trust the types). */
export type AccountKind = 'holder_balance' | 'holder_transitional' | 'holder_small_wallet' | 'clearing' | 'cash_desk' | 'merchant_payable' | 'fee_income' | 'refunds_payable' | 'suspense' | 'adjustments';

export interface ParsedAccount {
  kind: AccountKind;
  /** The holder's account number, for holder purses. */
  accountNo?: string;
  merchantId?: string;
  channel?: ClearingChannel;
}

/** Parses a stored reference; undefined when it names no account of the chart. */
export function parseAccount(ref: unknown): ParsedAccount | undefined {
  if (typeof ref !== 'string') return undefined;
  const holderMatch = /^holder:([^:]+):(balance|transitional|small_wallet)$/.exec(ref);
  if (holderMatch) return { kind: `holder_${holderMatch[2] as HolderPurse}`, accountNo: holderMatch[1]! };
  const merchantMatch = /^merchant:([^:]+):payable$/.exec(ref);
  if (merchantMatch) return { kind: 'merchant_payable', merchantId: merchantMatch[1]! };
  const clearingMatch = /^clearing:(wechat|alipay|bank)$/.exec(ref);
  if (clearingMatch) return { kind: 'clearing', channel: clearingMatch[1] as ClearingChannel };
  if (ref === 'cash_desk' || ref === 'fee_income' || ref === 'refunds_payable' || ref === 'suspense' || ref === 'adjustments') return { kind: ref };
  return undefined;
}

export function isHolderAccount(ref: string): ref is HolderAccount {
  return ref.startsWith('holder:');
}

const PURSE_OF: Record<HolderPurse, keyof Purses> = { balance: 'balanceFen', transitional: 'transitionalFen', small_wallet: 'smallWalletFen' };

/**
 * The one place a purse change is derived: what `transfers` do to `accountNo`'s purses (credits
 * minus debits). An entry's stored `delta` is this, so a delta that contradicts its transfers
 * cannot be written.
 */
export function deltaOf(accountNo: string, transfers: readonly Transfer[]): Purses {
  const delta: Purses = { balanceFen: 0, transitionalFen: 0, smallWalletFen: 0 };
  const purseOf = (ref: string): keyof Purses | undefined => {
    const parsed = parseAccount(ref);
    return parsed?.accountNo === accountNo ? PURSE_OF[parsed.kind.slice('holder_'.length) as HolderPurse] : undefined;
  };
  for (const transfer of transfers) {
    const credited = purseOf(transfer.credit);
    const debited = purseOf(transfer.debit);
    if (credited) delta[credited] += transfer.amountFen;
    if (debited) delta[debited] -= transfer.amountFen;
  }
  return delta;
}

/** The system accounts an entry's transfers name (at most one for every kind: the index key of the entry). */
export function systemAccountsOf(transfers: readonly Transfer[]): SystemAccount[] {
  const named = new Set<SystemAccount>();
  for (const transfer of transfers) {
    for (const ref of [transfer.debit, transfer.credit]) if (typeof ref === 'string' && !isHolderAccount(ref)) named.add(ref);
  }
  return [...named];
}

/** What `transfers` change `account` by (credits minus debits). */
export function changeOf(account: AccountRef, transfers: readonly Transfer[]): number {
  let change = 0;
  for (const transfer of transfers) {
    if (transfer.credit === account) change += transfer.amountFen;
    if (transfer.debit === account) change -= transfer.amountFen;
  }
  return change;
}

/** Only transfers that move something are written (a closing of an empty account has none). */
export function linked<T extends Transfer>(...transfers: T[]): T[] {
  return transfers.filter((transfer) => transfer.amountFen !== 0);
}
