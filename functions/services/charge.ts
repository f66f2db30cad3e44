/** An online charge at a POS terminal: the first money path, and the pattern for the others. */
import type { z } from 'zod';
import type { posChargeBody, posChargeResponse } from '../../shared/api/pos';
import type { Deps } from '../deps';
import { maskHolderName } from '../domain/account';
import { fingerprint } from '../domain/fingerprint';
import { planPurchase } from '../domain/movement-plans';
import type { Terminal } from '../domain/merchant';
import { onceOnly, type OnceOnly } from '../store/movements';

export async function chargeAtTerminal(
  deps: Pick<Deps, 'movements'>,
  terminal: Terminal,
  request: z.infer<typeof posChargeBody>,
  /** The request's nonce, spent in the same transaction as the money. */
  requestNonce?: OnceOnly,
): Promise<z.infer<typeof posChargeResponse>> {
  const { entry, holderName, replayed } = await deps.movements.post({
    accountNo: request.accountNo,
    idempotencyKey: `pos#${terminal.terminalId}#${request.posTxnId}`,
    fingerprint: fingerprint({ type: 'purchase', accountNo: request.accountNo, amountFen: request.amountFen }),
    plan: (account, today) =>
      planPurchase(
        account,
        {
          amountFen: request.amountFen,
          channel: 'pos',
          merchantId: terminal.merchantId,
          terminalId: terminal.terminalId,
          externalRef: request.posTxnId,
        },
        today,
      ),
    alsoWrite: () => onceOnly(requestNonce),
  });
  return {
    receiptNo: entry.receiptNo,
    accountNo: entry.accountNo,
    amountFen: entry.amountFen,
    balanceFen: entry.after.balanceFen,
    holderDisplayName: maskHolderName(holderName),
    postedAt: entry.createdAt,
    replayed,
  };
}
