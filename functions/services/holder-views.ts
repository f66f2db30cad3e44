/** What a holder sees of their own account: balances, cards, history, monthly statements. */
import type { z } from 'zod';
import type { getHolderAccount, getHolderStatement, holderAccount, holderPolicy, ledgerEntryView } from '../../shared/api/holder';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { SMALL_WALLET_CAP_FEN, spentOn, type Account } from '../domain/account';
import type { Card } from '../domain/card';
import { campusDay } from '../domain/campus-day';
import { SPENDING_TYPES, TOPUP_TYPES, type LedgerEntry, type MovementType } from '../domain/ledger';
import { PASSWORD_POLICY } from '../domain/passwords';
import { replacementFeeFen, type CampusPolicy } from '../domain/policy';
import { TOPUP_POLICY } from '../domain/topup';
import { getAccount } from '../store/accounts';
import { getPolicy } from '../store/policy';
import { listCards } from '../store/cards';
import { merchantsNamedBy } from '../store/terminals';
import { entryAmountsInRange, getLedgerEntry, listLedger } from '../store/ledger';

type ViewDeps = Pick<Deps, 'db' | 'clock'>;

/** "04A224B2C15E80" → "••••5E80", a bank card likewise: enough to tell them apart, not to use one. */
export function maskTail(value: string): string {
  return `••••${value.slice(-4)}`;
}

/** What holder and staff both see of an account: who, its state, its purses, its cards (masked). */
export function accountView(account: Account, cards: Card[], today: string): z.infer<typeof holderAccount> {
  return {
    accountNo: account.accountNo,
    personId: account.personId,
    holderName: account.holderName,
    cardType: account.cardType,
    status: account.status,
    ...(account.expiresOn ? { expiresOn: account.expiresOn } : {}),
    balanceFen: account.balanceFen,
    transitionalFen: account.transitionalFen,
    smallWalletFen: account.smallWalletFen,
    ...(account.chipBalanceFen !== undefined ? { chipBalanceFen: account.chipBalanceFen } : {}),
    dailyLimitFen: account.dailyLimitFen,
    spentTodayFen: spentOn(account, today),
    cards: cards.map((card) => ({
      cardId: card.cardId,
      kind: card.kind,
      status: card.status,
      ...(card.chipUid ? { chipUidMasked: maskTail(card.chipUid) } : {}),
      issuedOn: card.issuedOn,
    })),
  };
}

/** The policy as it applies to this holder: the app shows these numbers instead of its own. */
export function holderPolicyView(policy: CampusPolicy, account: Pick<Account, 'cardType'>): z.infer<typeof holderPolicy> {
  return {
    replacementFeeFen: replacementFeeFen(policy, account.cardType),
    selfReplacementMinBalanceFen: policy.selfReplacementMinBalanceFen,
    defaultDailyLimitFen: policy.defaultDailyLimitFen,
    maxDailyLimitFen: policy.maxDailyLimitFen,
    onlineTopupMinFen: TOPUP_POLICY.onlineMinFen,
    onlineTopupMaxFen: TOPUP_POLICY.onlineMaxFen,
    passwordLockMinutes: PASSWORD_POLICY.lockMinutes,
    smallWalletCapFen: SMALL_WALLET_CAP_FEN,
  };
}

export async function holderAccountView(deps: ViewDeps, accountNo: string): Promise<z.infer<typeof getHolderAccount.response>> {
  const [account, cards, policy] = await Promise.all([getAccount(deps.db, accountNo), listCards(deps.db, accountNo), getPolicy(deps.db)]);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  // Which phone signs the codes now: read with the account, so the old phone learns of a move at its next poll.
  const activeDeviceKey =
    account.activeDeviceKeyId !== undefined ? { activeDeviceKey: { keyId: account.activeDeviceKeyId, ...(account.activeDeviceKeyAt ? { registeredAt: account.activeDeviceKeyAt } : {}) } } : {};
  return { ...accountView(account, cards, campusDay(deps.clock())), policy: holderPolicyView(policy, account), ...activeDeviceKey };
}

/** The public view of a ledger entry: no operator names, no idempotency internals. */
export function entryView(entry: LedgerEntry, merchantNames: ReadonlyMap<string, string> = new Map()): z.infer<typeof ledgerEntryView> {
  const merchantName = entry.merchantId ? merchantNames.get(entry.merchantId) : undefined;
  return {
    receiptNo: entry.receiptNo,
    type: entry.type,
    amountFen: entry.amountFen,
    delta: entry.delta,
    after: entry.after,
    channel: entry.channel,
    ...(entry.merchantId ? { merchantId: entry.merchantId } : {}),
    ...(merchantName ? { merchantName } : {}),
    ...(entry.terminalId ? { terminalId: entry.terminalId } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(entry.refundOf ? { refundOf: entry.refundOf } : {}),
    ...(entry.guardianLabel ? { guardianLabel: entry.guardianLabel } : {}),
    ...(entry.trigger ? { trigger: entry.trigger } : {}),
    createdAt: entry.createdAt,
    campusDay: entry.campusDay,
  };
}

export async function holderHistory(
  deps: ViewDeps,
  accountNo: string,
  query: { from?: string; to?: string; type?: MovementType[]; cursor?: string; limit: number },
): Promise<{ entries: z.infer<typeof ledgerEntryView>[]; nextCursor?: string }> {
  const page = await listLedger(deps.db, accountNo, {
    ...(query.from ? { fromDay: query.from } : {}),
    ...(query.to ? { toDay: query.to } : {}),
    ...(query.type ? { types: query.type } : {}),
    ...(query.cursor ? { after: query.cursor } : {}),
    limit: query.limit,
  });
  const names = await merchantNamesOf(deps, page.entries);
  return { entries: page.entries.map((entry) => entryView(entry, names)), ...(page.next ? { nextCursor: page.next } : {}) };
}

export async function holderEntry(deps: ViewDeps, accountNo: string, receiptNo: string): Promise<z.infer<typeof ledgerEntryView>> {
  // Looked up under the holder's own account: another account's receipt is simply not found.
  const entry = await getLedgerEntry(deps.db, accountNo, receiptNo);
  if (!entry) throw new AppError('RECEIPT_NOT_FOUND', receiptNo);
  return entryView(entry, await merchantNamesOf(deps, [entry]));
}

/** The names holders know merchants by ("第一食堂"), for the few distinct merchants on a page. */
async function merchantNamesOf(deps: ViewDeps, entries: LedgerEntry[]): Promise<Map<string, string>> {
  return new Map([...(await merchantsNamedBy(deps.db, entries))].map(([id, merchant]) => [id, merchant.name]));
}

type Statement = z.infer<(typeof getHolderStatement)['response']>;

/** Pure: a month's totals from its entries (their types and amounts are all it needs). */
export function monthlyStatement(month: string, entries: Pick<LedgerEntry, 'type' | 'amountFen'>[]): Statement {
  const byType = new Map<MovementType, { count: number; amountFen: number }>();
  for (const entry of entries) {
    const totals = byType.get(entry.type) ?? { count: 0, amountFen: 0 };
    byType.set(entry.type, { count: totals.count + 1, amountFen: totals.amountFen + entry.amountFen });
  }
  const sum = (types: readonly MovementType[]) => types.reduce((total, type) => total + (byType.get(type)?.amountFen ?? 0), 0);
  return {
    month,
    spendingFen: sum(SPENDING_TYPES) - sum(['refund']),
    // A guardian deposit given back to its payer is money that did not come in after all.
    topupFen: sum(TOPUP_TYPES) - sum(['deposit_refund']),
    refundFen: sum(['refund']),
    count: entries.length,
    byType: [...byType].map(([type, totals]) => ({ type, ...totals })),
  };
}

export async function holderStatement(deps: ViewDeps, accountNo: string, month: string): Promise<Statement> {
  const [year, monthNo] = month.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(year, monthNo, 0)).getUTCDate();
  // One bounded Query of the month's sort keys (entries are keyed by time), never the account's whole history.
  const entries = await entryAmountsInRange(deps.db, accountNo, `${month}-01`, `${month}-${String(lastDay).padStart(2, '0')}`);
  return monthlyStatement(month, entries);
}
