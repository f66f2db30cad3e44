/**
 * A guardian deposit from the payer's side: check what was typed, make the deposit, let the
 * platform take the payment, then poll the deposit until the server has the platform's word. The
 * app never claims success itself: only the server's paid status is "credited".
 */
import type { ApiClient, GuardianDeposit, GuardianDepositCreated } from '../../lib/api';
import type { PaymentOutcome } from '../../lib/platform';
import { pollUntilSettled, roundTrip, type PollDeps } from '../../lib/round-trip';

/** What the holder will see as the payer; the server checks the same (1 to 8 characters, one line). */
export function validLabel(label: string): boolean {
  const trimmed = label.trim();
  return [...trimmed].length >= 1 && [...trimmed].length <= 8 && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029<>]/.test(trimmed);
}

export function validPersonId(personId: string): boolean {
  return /^[A-Za-z0-9]{1,32}$/.test(personId.trim());
}

export type DepositPhase =
  | { kind: 'creating' }
  | { kind: 'paying'; created: GuardianDepositCreated }
  | { kind: 'confirming'; deposit: GuardianDeposit }
  | { kind: 'done'; deposit: GuardianDeposit }
  | { kind: 'cancelled'; deposit: GuardianDeposit }
  | { kind: 'slow'; deposit: GuardianDeposit }
  | { kind: 'failed'; error: unknown };

export interface DepositFlowDeps extends PollDeps<DepositPhase> {
  api: Pick<ApiClient, 'createGuardianDeposit' | 'guardianDeposit'>;
  pay: (created: GuardianDepositCreated) => Promise<PaymentOutcome>;
}

export function runDeposit(deps: DepositFlowDeps, request: Parameters<ApiClient['createGuardianDeposit']>[0]): Promise<DepositPhase> {
  const failed = (error: unknown): DepositPhase => ({ kind: 'failed', error });
  return roundTrip(deps, {
    creating: { kind: 'creating' },
    create: () => deps.api.createGuardianDeposit(request),
    opened: (created) => ({ kind: 'paying', created }),
    open: (created) => deps.pay(created),
    // The sheet gave no answer; the payment may still have gone through, so the server decides.
    ifOpenThrows: 'paid',
    confirm: (created, outcome) =>
      pollUntilSettled(
        deps,
        {
          initial: created.deposit,
          read: () => deps.api.guardianDeposit(created.deposit.orderId),
          // Anything but pending is the platform's word (paid, closed or refunded); the receipt shows which.
          settled: (latest) => (latest.status !== 'pending' ? { kind: 'done', deposit: latest } : undefined),
          confirming: (latest) => ({ kind: 'confirming', deposit: latest }),
          unsettled: (latest, cancelled) => (cancelled ? { kind: 'cancelled', deposit: latest } : { kind: 'slow', deposit: latest }),
          failed,
        },
        outcome === 'cancelled',
      ),
    failed,
  });
}
