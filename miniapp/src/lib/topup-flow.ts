/**
 * One top-up from the holder's side: make the order, let the platform take the payment, then poll
 * the order until the server has the platform's word (paid or closed). Money is credited only by the
 * server on the platform's signed notification or its own query; the app never claims success itself.
 */
import type { ApiClient, TopupCreated, TopupOrder } from './api';
import type { PaymentOutcome } from './platform';
import { pollUntilSettled, roundTrip, type PollDeps } from './round-trip';

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

export interface TopupFlowDeps extends PollDeps<TopupPhase> {
  api: Pick<ApiClient, 'createTopup' | 'topup'>;
  /** Opens the payment sheet (or the local cashier) and says what the payer did. */
  pay: (created: TopupCreated) => Promise<PaymentOutcome>;
}

export function runTopup(deps: TopupFlowDeps, amountFen: number, channel: 'wechat' | 'alipay', payerId: string): Promise<TopupPhase> {
  return roundTrip(deps, {
    creating: { kind: 'creating' },
    create: () => deps.api.createTopup(amountFen, channel, payerId),
    opened: (created) => ({ kind: 'paying', created }),
    open: (created) => deps.pay(created),
    // The sheet failed or gave no answer; the order may still have been paid, so the server decides.
    ifOpenThrows: 'paid',
    confirm: (created, outcome) => confirm(deps, created.order, outcome),
    failed: (error) => ({ kind: 'failed', error }),
  });
}

/** Polls the order until paid, closed or refunded; the order stays and is reconciled by the server when the looks run out. */
export function confirm(deps: Pick<TopupFlowDeps, 'api' | 'sleep' | 'onPhase' | 'pollIntervalMs' | 'pollAttempts'>, order: TopupOrder, outcome: PaymentOutcome): Promise<TopupPhase> {
  return pollUntilSettled(
    deps,
    {
      initial: order,
      read: () => deps.api.topup(order.orderId),
      settled: (latest): TopupPhase | undefined => {
        if (latest.status === 'paid') return { kind: 'paid', order: latest };
        if (latest.status === 'closed') return { kind: 'closed', order: latest };
        if (latest.status === 'refund_pending' || latest.status === 'refunded') return { kind: 'refunded', order: latest };
        return undefined;
      },
      confirming: (latest) => ({ kind: 'confirming', order: latest }),
      unsettled: (latest, cancelled) => (cancelled ? { kind: 'cancelled', order: latest } : { kind: 'slow', order: latest }),
      failed: (error) => ({ kind: 'failed', error }),
    },
    outcome === 'cancelled',
  );
}
