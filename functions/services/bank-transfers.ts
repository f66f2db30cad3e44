/**
 * The kiosk top-up (圈存): the holder taps the card, types the query password and the bank PIN, picks 1–500 yuan.
 *
 * The transfer is an intent stored before the bank is asked (functions/domain/bank-transfer.ts), so
 * every debit the bank makes has a record to land on: the kiosk's call, a retry with the same
 * transfer id, or the scheduled reconciler then credits it (in one transaction with the intent's
 * change) or, when the account cannot take the money, gives it back at the bank.
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { creditRefused, newBankTransferIntent, reconcileStep, BANK_TRANSFER_POLICY, type BankTransferIntent } from '../domain/bank-transfer';
import { fingerprint } from '../domain/fingerprint';
import { assertTopupAmount, topupPurse } from '../domain/topup';
import type { Terminal } from '../domain/merchant';
import { BankRefused, BankUnavailable, type BankAdapter, type BankRefusal } from '../payments/bank';
import { getAccount } from '../store/accounts';
import { changeBankTransferStatus, createBankTransferIntent, getBankTransferIntent, listOpenBankTransfers, markBankTransferCreditedItem } from '../store/bank-transfers';
import { findCardByChipUid } from '../store/cards';
import type { MovementResult } from '../store/movements';
import { creditTransitional, topUp } from './movements';
import { verifyHolderPassword } from './passwords';
import { tellIfLost } from './lost-found';

type BankTransferDeps = Pick<Deps, 'db' | 'clock' | 'movements' | 'bank' | 'logger'>;

const REFUSALS: Record<BankRefusal, 'BANK_PIN_WRONG' | 'BANK_INSUFFICIENT_FUNDS' | 'BANK_CARD_REFUSED' | 'BANK_TRANSFER_EXPIRED'> = {
  PIN_WRONG: 'BANK_PIN_WRONG',
  INSUFFICIENT_FUNDS: 'BANK_INSUFFICIENT_FUNDS',
  CARD_UNKNOWN: 'BANK_CARD_REFUSED',
  CARD_BLOCKED: 'BANK_CARD_REFUSED',
  CANCELLED: 'BANK_TRANSFER_EXPIRED',
};

export interface BankTransferResult {
  receiptNo: string;
  amountFen: number;
  purse: BankTransferIntent['purse'];
  balanceFen: number;
  transitionalFen: number;
  replayed: boolean;
}

export async function transferFromBank(
  deps: BankTransferDeps,
  terminal: Terminal,
  request: { transferId: string; chipUid: string; amountFen: number; queryPassword: string; bankPin: string },
): Promise<BankTransferResult> {
  assertTopupAmount(request.amountFen, 'bank');
  const card = await findCardByChipUid(deps.db, request.chipUid);
  if (!card || card.status !== 'active') {
    // A lost card in the kiosk: its holder is told where (best effort, bounded); the answer stays the same as for any card that cannot act.
    if (card?.status === 'lost') await tellIfLost(deps, 'CARD_LOST', terminal, { accountNo: card.accountNo, cardRef: card.cardId }, 'kiosk');
    throw new AppError('CARD_NOT_FOUND', request.chipUid);
  }
  const account = await getAccount(deps.db, card.accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', card.accountNo);
  await verifyHolderPassword(deps, account.accountNo, 'query', request.queryPassword);
  const bank = await deps.bank();
  if (!bank) throw new AppError('BANK_UNAVAILABLE', 'no bank configured');
  // Never the passwords: a retry may carry a corrected PIN and is still the same transfer.
  const print = fingerprint({ type: 'bank_transfer', chipUid: request.chipUid, amountFen: request.amountFen });

  // A retry resumes from its intent, whatever the account has become since (the intent decides).
  let intent = await getBankTransferIntent(deps.db, terminal.terminalId, request.transferId);
  if (!intent) {
    if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', account.accountNo);
    if (!account.boundBankCardNo) throw new AppError('BANK_CARD_NOT_BOUND', account.accountNo);
    const fresh = newBankTransferIntent(
      {
        terminalId: terminal.terminalId,
        transferId: request.transferId,
        fingerprint: print,
        accountNo: account.accountNo,
        chipUid: request.chipUid,
        bankCardNo: account.boundBankCardNo,
        amountFen: request.amountFen,
        purse: topupPurse(account),
      },
      deps.clock(),
    );
    // Stored first: a debit the bank makes always has an intent to land on.
    const stored = await createBankTransferIntent(deps.db, fresh);
    intent = stored.created ? fresh : stored.existing;
  }
  if (intent.fingerprint !== print) throw new AppError('IDEMPOTENCY_CONFLICT', `transfer ${terminal.terminalId}/${request.transferId}`);

  if (intent.status === 'credited') return resultOf(intent, await credit(deps, bank, intent, intent.bankTxnId!));
  if (intent.status !== 'pending') return refuseAs(intent.status === 'reversing' ? await finishVoid(deps, bank, intent) : intent);
  // Closed since the first try: debit nothing more, and give back whatever that try may have debited.
  if (account.status === 'cancelled') return refuseAs(await voidTransfer(deps, bank, intent, 'CARD_CANCELLED'));

  let bankTxnId: string;
  try {
    ({ bankTxnId } = await bank.transfer({ transferId: intent.bankTransferId, bankCardNo: intent.bankCardNo, pin: request.bankPin, amountFen: intent.amountFen }));
  } catch (error) {
    if (error instanceof BankUnavailable) throw new AppError('BANK_UNAVAILABLE', error.message);
    if (!(error instanceof BankRefused)) throw error;
    // The bank does not remember a wrong PIN against the id: the intent stays pending for a retry.
    if (error.refusal === 'PIN_WRONG') throw new AppError('BANK_PIN_WRONG', error.message);
    // Barred: the reconciler gave the transfer up meanwhile (the intent is reversing or expired).
    if (error.refusal === 'CANCELLED') return refuseAs(await settleVoided(deps, bank, intent));
    return refuseAs(await changeBankTransferStatus(deps.db, intent, 'pending', 'refused', deps.clock().toISOString(), { refusal: error.refusal }));
  }
  return resultOf(intent, await credit(deps, bank, intent, bankTxnId));
}

/** The kiosk's answer for a transfer that did not credit. */
function refuseAs(intent: BankTransferIntent): never {
  const where = `transfer ${intent.terminalId}/${intent.transferId}`;
  switch (intent.status) {
    case 'refused':
      throw new AppError(REFUSALS[intent.refusal ?? 'CARD_UNKNOWN'], where);
    case 'reversing':
    case 'reversed':
      throw new AppError('BANK_TRANSFER_REVERSED', `${where}: ${intent.voidReason ?? ''}`);
    case 'expired':
      throw new AppError('BANK_TRANSFER_EXPIRED', where);
    default:
      // Still pending (or credited by another path a moment ago): the kiosk retries with the same id.
      throw new AppError('BANK_UNAVAILABLE', `${where} is ${intent.status}`);
  }
}

function resultOf(intent: BankTransferIntent, outcome: CreditOutcome): BankTransferResult {
  if ('settled' in outcome) return refuseAs(outcome.settled);
  const { entry, replayed } = outcome.credited;
  return { receiptNo: entry.receiptNo, amountFen: entry.amountFen, purse: intent.purse, balanceFen: entry.after.balanceFen, transitionalFen: entry.after.transitionalFen, replayed };
}

type CreditOutcome = { credited: MovementResult } | { settled: BankTransferIntent };

/**
 * Credits what the bank debited, in one transaction with the intent's change to credited
 * (idempotent on the bank's transaction id, so racing paths credit once). If the account cannot
 * take the money, the transfer is voided instead; if the intent was voided first, nothing moves.
 */
async function credit(deps: BankTransferDeps, bank: BankAdapter, intent: BankTransferIntent, bankTxnId: string): Promise<CreditOutcome> {
  const request = { accountNo: intent.accountNo, amountFen: intent.amountFen, channel: 'bank' as const, externalRef: bankTxnId };
  const settle = (entry: { receiptNo: string }) => [
    {
      item: markBankTransferCreditedItem(deps.db, intent, { bankTxnId, receiptNo: entry.receiptNo, at: deps.clock().toISOString() }),
      onConflict: () => new AppError('BANK_TRANSFER_REVERSED', `intent ${intent.bankTransferId} is no longer pending`),
    },
  ];
  try {
    return { credited: intent.purse === 'transitional' ? await creditTransitional(deps, request, settle) : await topUp(deps, request, settle) };
  } catch (error) {
    if (error instanceof AppError && error.code === 'BANK_TRANSFER_REVERSED') return { settled: await settleVoided(deps, bank, intent) };
    if (!creditRefused(error)) throw error;
    deps.logger.warn('bank transfer cannot be credited: reversing it at the bank', { transfer: intent.bankTransferId, code: error.code });
    return { settled: await voidTransfer(deps, bank, intent, error.code) };
  }
}

/** The intent as it is now, its reversal finished if one is under way. */
async function settleVoided(deps: BankTransferDeps, bank: BankAdapter, intent: BankTransferIntent): Promise<BankTransferIntent> {
  const now = (await getBankTransferIntent(deps.db, intent.terminalId, intent.transferId)) ?? intent;
  return now.status === 'reversing' ? finishVoid(deps, bank, now) : now;
}

/** Gives the transfer up: `reversing` is recorded first (no credit can commit after it), then the bank is told. */
async function voidTransfer(deps: BankTransferDeps, bank: BankAdapter, intent: BankTransferIntent, reason: string): Promise<BankTransferIntent> {
  const now = intent.status === 'pending' ? await changeBankTransferStatus(deps.db, intent, 'pending', 'reversing', deps.clock().toISOString(), { voidReason: reason }) : intent;
  return now.status === 'reversing' ? finishVoid(deps, bank, now) : now;
}

/** Asks the bank to reverse a `reversing` intent and records what it did. Bank down: stays reversing (the reconciler asks again). */
async function finishVoid(deps: BankTransferDeps, bank: BankAdapter, intent: BankTransferIntent): Promise<BankTransferIntent> {
  let state;
  try {
    state = await bank.reverse(intent.bankTransferId);
  } catch (error) {
    if (!(error instanceof BankUnavailable)) throw error;
    deps.logger.warn('bank reversal not confirmed yet', { transfer: intent.bankTransferId, error: error.message });
    return intent;
  }
  const at = deps.clock().toISOString();
  if (state.state === 'reversed') return changeBankTransferStatus(deps.db, intent, 'reversing', 'reversed', at, { bankTxnId: state.bankTxnId, reversalId: state.reversalId });
  // Never debited: barred now (expired), or refused outright when it arrived.
  if (state.state === 'refused') return changeBankTransferStatus(deps.db, intent, 'reversing', state.refusal === 'CANCELLED' ? 'expired' : 'refused', at, { refusal: state.refusal });
  deps.logger.error('bank did not reverse the transfer', { transfer: intent.bankTransferId, state: state.state });
  return intent;
}

export interface BankReconcileReport {
  checked: number;
  credited: number;
  reversed: number;
  refused: number;
  expired: number;
  /** Still pending or reversing after this run (the bank has not said yet, or could not be reached). */
  open: number;
  failures: { transfer: string; error: string }[];
}

/**
 * The scheduled reconciler: every intent still open a minute after it was made is asked about at
 * the bank and settled by what the bank says. Each answers for itself: one failure is reported
 * and the others go on.
 */
export async function reconcileBankTransfers(deps: BankTransferDeps): Promise<BankReconcileReport> {
  const now = deps.clock();
  const open = await listOpenBankTransfers(deps.db, new Date(now.getTime() - BANK_TRANSFER_POLICY.queryAfterSeconds * 1000).toISOString());
  const report: BankReconcileReport = { checked: open.length, credited: 0, reversed: 0, refused: 0, expired: 0, open: 0, failures: [] };
  if (open.length === 0) return report;
  const bank = await deps.bank();
  for (const intent of open) {
    try {
      if (!bank) throw new BankUnavailable('no bank configured');
      const after = await reconcileOne(deps, bank, intent, now);
      if (after.status === 'pending' || after.status === 'reversing') report.open++;
      else report[after.status]++;
    } catch (error) {
      report.open++;
      report.failures.push({ transfer: intent.bankTransferId, error: error instanceof Error ? error.message : String(error) });
      deps.logger.error('bank transfer reconciliation failed', { transfer: intent.bankTransferId, error });
    }
  }
  return report;
}

/** One intent settled by what the bank says now (also the bank statement run's path: functions/services/bank-statement.ts). */
export async function reconcileOne(deps: BankTransferDeps, bank: BankAdapter, intent: BankTransferIntent, now: Date): Promise<BankTransferIntent> {
  if (intent.status === 'reversing') return finishVoid(deps, bank, intent);
  const step = reconcileStep(intent, await bank.query(intent.bankTransferId), now);
  const at = now.toISOString();
  switch (step.do) {
    case 'credit': {
      const outcome = await credit(deps, bank, intent, step.bankTxnId);
      return 'settled' in outcome ? outcome.settled : ((await getBankTransferIntent(deps.db, intent.terminalId, intent.transferId)) ?? intent);
    }
    case 'refuse':
      // A barred id with a pending intent cannot happen (the void records reversing first); settle it as expired anyway.
      return changeBankTransferStatus(deps.db, intent, 'pending', step.refusal === 'CANCELLED' ? 'expired' : 'refused', at, { refusal: step.refusal });
    case 'record_reversed':
      return changeBankTransferStatus(deps.db, intent, 'pending', 'reversed', at, { reversalId: step.reversalId });
    case 'void':
      return voidTransfer(deps, bank, intent, step.reason);
    case 'wait':
      return intent;
  }
}
