/**
 * One top-up from the holder's side: make the order, let the platform take the payment, then poll
 * the order until the server has the platform's word (paid or closed). Money is credited only by the
 * server on the platform's signed notification or its own query; the app never claims success itself.
 */
import { ApiError, type ApiClient, type TopupCreated, type TopupOrder } from './api';
import type { PaymentOutcome } from './platform';

export type TopupPhase =
  | { kind: 'creating' }
  | { kind: 'paying'; created: TopupCreated }
  | { kind: 'confirming'; order: TopupOrder }
  | { kind: 'paid'; order: TopupOrder }
  | { kind: 'closed'; order: TopupOrder }
  /** The payment could not be credited (the account closed meanwhile, or another amount was paid): it goes back to the payer. */
  | { kind: 'refunded'; order: TopupOrder }
  | { kind: 'cancelled'; order: TopupOrder }
  | { kind: 'slow'; order: TopupOrder }
  | { kind: 'failed'; error: unknown };

export interface TopupFlowDeps {
  api: Pick<ApiClient, 'createTopup' | 'topup'>;
  /** Opens the payment sheet (or the local cashier) and says what the payer did. */
  pay: (created: TopupCreated) => Promise<PaymentOutcome>;
  sleep: (ms: number) => Promise<void>;
  onPhase: (phase: TopupPhase) => void;
  /** Polls, then gives up waiting (the order stays and is reconciled by the server). */
  pollIntervalMs?: number;
  pollAttempts?: number;
}

export async function runTopup(deps: TopupFlowDeps, amountFen: number, channel: 'wechat' | 'alipay', payerId: string): Promise<TopupPhase> {
  const finish = (phase: TopupPhase) => {
    deps.onPhase(phase);
    return phase;
  };
  deps.onPhase({ kind: 'creating' });
  let created: TopupCreated;
  try {
    created = await deps.api.createTopup(amountFen, channel, payerId);
  } catch (error) {
    return finish({ kind: 'failed', error });
  }
  deps.onPhase({ kind: 'paying', created });
  let outcome: PaymentOutcome;
  try {
    outcome = await deps.pay(created);
  } catch {
    // The sheet failed or gave no answer; the order may still have been paid, so the server decides.
    outcome = 'paid';
  }
  return finish(await confirm(deps, created.order, outcome));
}

/** Polls the order. A cancelled sheet still gets one look, in case the payment went through anyway. */
export async function confirm(deps: Pick<TopupFlowDeps, 'api' | 'sleep' | 'onPhase' | 'pollIntervalMs' | 'pollAttempts'>, order: TopupOrder, outcome: PaymentOutcome): Promise<TopupPhase> {
  const attempts = outcome === 'cancelled' ? 1 : (deps.pollAttempts ?? 40);
  let latest = order;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (outcome === 'paid') deps.onPhase({ kind: 'confirming', order: latest });
    try {
      latest = await deps.api.topup(order.orderId);
    } catch (error) {
      if (!(error instanceof ApiError) || (error.code !== 'NETWORK' && error.status < 500)) return { kind: 'failed', error };
    }
    if (latest.status === 'paid') return { kind: 'paid', order: latest };
    if (latest.status === 'closed') return { kind: 'closed', order: latest };
    if (latest.status === 'refund_pending' || latest.status === 'refunded') return { kind: 'refunded', order: latest };
    if (attempt + 1 < attempts) await deps.sleep(deps.pollIntervalMs ?? 1_500);
  }
  return outcome === 'cancelled' ? { kind: 'cancelled', order: latest } : { kind: 'slow', order: latest };
}
