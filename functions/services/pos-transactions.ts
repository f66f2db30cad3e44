/** What became of a POS payment: the question a terminal asks when it lost a payment's answer. */
import type { z } from 'zod';
import type { posTransactionResponse } from '../../shared/api/pos';
import type { Deps } from '../deps';
import { maskHolderName } from '../domain/account';
import type { Terminal } from '../domain/merchant';
import { closeUnlessPosted } from '../store/movements';

/** The idempotency key a terminal's payment posts under: card charges and QR payments share it, so one posTxnId is one sale. */
export function posPaymentKey(terminalId: string, posTxnId: string): string {
  return `pos#${terminalId}#${posTxnId}`;
}

/**
 * Answers posted (the receipt) or not_found. not_found closes the id in the same conditional write,
 * so "not found" stays true: the original request, if still on its way, is refused POS_TXN_CLOSED
 * and the cashier can take the sale again under a new posTxnId without charging twice.
 */
export async function lookUpPosTransaction(
  deps: Pick<Deps, 'db' | 'clock'>,
  terminal: Terminal,
  posTxnId: string,
): Promise<z.infer<typeof posTransactionResponse>> {
  const outcome = await closeUnlessPosted(deps.db, posPaymentKey(terminal.terminalId, posTxnId), deps.clock());
  if ('closed' in outcome) return { posTxnId, status: 'not_found' };
  const { entry, holderName } = outcome.posted;
  return {
    posTxnId,
    status: 'posted',
    method: entry.channel === 'qr' ? 'qr' : 'card',
    receiptNo: entry.receiptNo,
    amountFen: entry.amountFen,
    balanceFen: entry.after.balanceFen,
    holderDisplayName: maskHolderName(holderName),
    postedAt: entry.createdAt,
  };
}
