/**
 * Card-centre money: balance adjustments after reconciliation, and closing an account with the refund
 * of everything it holds. Both are ordinary ledger movements (services/movements.ts) whose audit
 * entry commits in the movement's own transaction.
 */
import { AppError } from '../../app-error';
import type { Deps } from '../../deps';
import type { RefundDestination } from '../../domain/ledger';
import type { Actor } from '../../domain/staff';
import { getAccount } from '../../store/accounts';
import { adjustBalance, closeAccountWithRefund } from '../movements';
import { maskTail } from '../holder-views';
import { loggedMovements } from './action-log';

type MoneyDeps = Pick<Deps, 'db' | 'clock' | 'movements'>;

export async function adjustByCardCentre(
  deps: MoneyDeps,
  actor: Actor,
  accountNo: string,
  body: { direction: 'credit' | 'debit'; amountFen: number; reason: string; adjustmentId: string },
): Promise<{ receiptNo: string; direction: 'credit' | 'debit'; amountFen: number; balanceFen: number; replayed: boolean }> {
  const audited = loggedMovements(deps, actor, (entry) => ({
    action: 'balance.adjust',
    target: `account:${accountNo}`,
    reason: body.reason,
    details: { receiptNo: entry.receiptNo, direction: body.direction, amountFen: body.amountFen, balanceAfterFen: entry.after.balanceFen, adjustmentId: body.adjustmentId },
  }));
  const { entry, replayed } = await adjustBalance(audited, { accountNo, ...body, operator: actor.username });
  return { receiptNo: entry.receiptNo, direction: body.direction, amountFen: entry.amountFen, balanceFen: entry.after.balanceFen, replayed };
}

export type TerminationReason = 'graduated' | 'left' | 'violation' | 'deceased' | 'holder_request';

/**
 * Force termination (graduates, leavers, violators, deceased persons) or the holder's own request:
 * the account is closed and all it holds is refunded, as one movement with its destination. A refund
 * to a bank card needs one on file (graduates' refunds go there); otherwise it is paid in cash.
 */
export async function terminateByCardCentre(
  deps: MoneyDeps,
  actor: Actor,
  accountNo: string,
  body: { reason: TerminationReason; destination: RefundDestination; cancellationId: string; note?: string | undefined },
): Promise<{ receiptNo: string; refundFen: number; heldBackFen: number; holdbackUntil?: string; destination: RefundDestination; bankCardNoMasked?: string; status: 'cancelled'; replayed: boolean }> {
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  if (body.destination === 'bank_card' && !account.boundBankCardNo) throw new AppError('BANK_CARD_NOT_BOUND', `${accountNo}: refund to a bank card`);
  const reason = body.note ? `${body.reason}: ${body.note}` : body.reason;
  const audited = loggedMovements(deps, actor, (entry) => ({
    action: 'account.terminate',
    target: `account:${accountNo}`,
    reason,
    details: { receiptNo: entry.receiptNo, refundFen: entry.amountFen, destination: body.destination, cancellationId: body.cancellationId },
  }));
  const { entry, replayed } = await closeAccountWithRefund(audited, { accountNo, cancellationId: body.cancellationId, destination: body.destination, reason, operator: actor.username, at: deps.clock() });
  return {
    receiptNo: entry.receiptNo,
    refundFen: entry.amountFen,
    heldBackFen: entry.after.balanceFen,
    ...(entry.holdbackUntil !== undefined ? { holdbackUntil: entry.holdbackUntil } : {}),
    destination: body.destination,
    ...(body.destination === 'bank_card' && account.boundBankCardNo ? { bankCardNoMasked: maskTail(account.boundBankCardNo) } : {}),
    status: 'cancelled',
    replayed,
  };
}
