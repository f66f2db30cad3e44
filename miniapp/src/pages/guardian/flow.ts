/**
 * A guardian deposit from the payer's side: check what was typed, make the deposit, let the
 * platform take the payment, then poll the deposit until the server has the platform's word. The
 * app never claims success itself: only the server's paid status is "credited".
 */
import { ApiError, type ApiClient, type GuardianDeposit, type GuardianDepositCreated } from '../../lib/api';
import type { PaymentOutcome } from '../../lib/platform';

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

export interface DepositFlowDeps {
  api: Pick<ApiClient, 'createGuardianDeposit' | 'guardianDeposit'>;
  pay: (created: GuardianDepositCreated) => Promise<PaymentOutcome>;
  sleep: (ms: number) => Promise<void>;
  onPhase: (phase: DepositPhase) => void;
  pollIntervalMs?: number;
  pollAttempts?: number;
}

export async function runDeposit(deps: DepositFlowDeps, request: Parameters<ApiClient['createGuardianDeposit']>[0]): Promise<DepositPhase> {
  const finish = (phase: DepositPhase) => {
    deps.onPhase(phase);
    return phase;
  };
  deps.onPhase({ kind: 'creating' });
  let created: GuardianDepositCreated;
  try {
    created = await deps.api.createGuardianDeposit(request);
  } catch (error) {
    return finish({ kind: 'failed', error });
  }
  deps.onPhase({ kind: 'paying', created });
  let outcome: PaymentOutcome;
  try {
    outcome = await deps.pay(created);
  } catch {
    // The sheet gave no answer; the payment may still have gone through, so the server decides.
    outcome = 'paid';
  }
  const attempts = outcome === 'cancelled' ? 1 : (deps.pollAttempts ?? 40);
  let latest = created.deposit;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (outcome === 'paid') deps.onPhase({ kind: 'confirming', deposit: latest });
    try {
      latest = await deps.api.guardianDeposit(latest.orderId);
    } catch (error) {
      if (!(error instanceof ApiError) || (error.code !== 'NETWORK' && error.status < 500)) return finish({ kind: 'failed', error });
    }
    if (latest.status !== 'pending') return finish({ kind: 'done', deposit: latest });
    if (attempt + 1 < attempts) await deps.sleep(deps.pollIntervalMs ?? 1_500);
  }
  return finish(outcome === 'cancelled' ? { kind: 'cancelled', deposit: latest } : { kind: 'slow', deposit: latest });
}
