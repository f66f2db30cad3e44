/**
 * The automatic reload's logic without the page: the form checked with the server's bounds, and one
 * signing (start it, let the platform's signing page or the local stand-in take it, then poll). The
 * agreement is active only when the server says so (it has the platform's signed notice); the app
 * never claims it.
 */
import { parseYuan } from '@shared/money';
import { ApiError, type ApiClient, type AutoReload, type AutoReloadSigning } from '../../lib/api';
import type { TextKey } from '../../lib/i18n';
import type { SigningOutcome } from '../../lib/platform';
import { pollUntilSettled, roundTrip, type PollDeps } from '../../lib/round-trip';

export type Bounds = AutoReload['bounds'];
export type SettingsField = 'threshold' | 'amount';

/** What the form starts with: the account's threshold and amount when there are some, else 20 and 50 yuan, within the bounds. */
export function formDefaults(view: Pick<AutoReload, 'thresholdFen' | 'amountFen' | 'bounds'>): { thresholdFen: number; amountFen: number } {
  const clamp = (fen: number, min: number, max: number) => Math.min(Math.max(fen, min), max);
  const { bounds } = view;
  return {
    thresholdFen: clamp(view.thresholdFen ?? 2_000, bounds.minThresholdFen, bounds.maxThresholdFen),
    amountFen: clamp(view.amountFen ?? 5_000, bounds.minAmountFen, bounds.maxAmountFen),
  };
}

/** Yuan as typed, in fen; undefined when it is not an amount with at most two decimals. */
function fenOf(text: string): number | undefined {
  try {
    return parseYuan(text.trim());
  } catch {
    return undefined;
  }
}

export type SettingsCheck =
  | { ok: true; thresholdFen: number; amountFen: number }
  | { ok: false; errors: Partial<Record<SettingsField, { key: TextKey; min: number; max: number }>> };

/** The same bounds the server checks (it answers AUTO_RELOAD_OUT_OF_RANGE otherwise): the words name them in yuan. */
export function checkSettings(form: Record<SettingsField, string>, bounds: Bounds): SettingsCheck {
  const thresholdFen = fenOf(form.threshold);
  const amountFen = fenOf(form.amount);
  const errors: Extract<SettingsCheck, { ok: false }>['errors'] = {};
  if (thresholdFen === undefined || thresholdFen < bounds.minThresholdFen || thresholdFen > bounds.maxThresholdFen) {
    errors.threshold = { key: 'autoReload.thresholdInvalid', min: bounds.minThresholdFen, max: bounds.maxThresholdFen };
  }
  if (amountFen === undefined || amountFen < bounds.minAmountFen || amountFen > bounds.maxAmountFen) {
    errors.amount = { key: 'autoReload.amountInvalid', min: bounds.minAmountFen, max: bounds.maxAmountFen };
  }
  if (errors.threshold || errors.amount) return { ok: false, errors };
  return { ok: true, thresholdFen: thresholdFen!, amountFen: amountFen! };
}

export type SigningPhase =
  | { kind: 'starting' }
  | { kind: 'signing'; created: AutoReloadSigning }
  | { kind: 'confirming' }
  | { kind: 'active'; view: AutoReload }
  /** Not confirmed (yet): the holder left without signing, or the platform's notice is late. */
  | { kind: 'pending'; view: AutoReload; outcome: SigningOutcome }
  | { kind: 'failed'; error: unknown };

export interface SigningDeps extends PollDeps<SigningPhase> {
  api: Pick<ApiClient, 'signAutoReload' | 'autoReload'>;
  /** Opens the platform's signing page (or the H5 stand-in) and says whether the holder came back or gave up. */
  sign: (created: AutoReloadSigning) => Promise<SigningOutcome>;
}

export function runSigning(deps: SigningDeps, channel: 'wechat' | 'alipay', thresholdFen: number, amountFen: number): Promise<SigningPhase> {
  return roundTrip(deps, {
    creating: { kind: 'starting' },
    create: () => deps.api.signAutoReload(channel, thresholdFen, amountFen),
    opened: (created) => ({ kind: 'signing', created }),
    open: (created) => deps.sign(created),
    // The signing page failed to open or gave no answer: the holder may still have signed, so ask.
    ifOpenThrows: 'returned',
    confirm: (_created, outcome) => confirmSigning(deps, outcome),
    failed: (error) => ({ kind: 'failed', error }),
  });
}

/** Polls the agreement until the server has the platform's word; one look when the holder gave up (they may have signed anyway). */
export function confirmSigning(deps: Pick<SigningDeps, 'api' | 'sleep' | 'onPhase' | 'pollIntervalMs' | 'pollAttempts'>, outcome: SigningOutcome): Promise<SigningPhase> {
  return pollUntilSettled(
    deps,
    {
      initial: undefined,
      read: () => deps.api.autoReload(),
      settled: (latest): SigningPhase | undefined => {
        if (latest.status === 'active') return { kind: 'active', view: latest };
        // Cancelled meanwhile (by the platform): nothing to wait for.
        if (latest.status === 'cancelled' || latest.status === 'none') return { kind: 'pending', view: latest, outcome };
        return undefined;
      },
      confirming: () => ({ kind: 'confirming' }),
      // Never an answer at all: the connection is the trouble.
      unsettled: (latest) => (latest ? { kind: 'pending', view: latest, outcome } : { kind: 'failed', error: new ApiError('NETWORK', 0) }),
      failed: (error) => ({ kind: 'failed', error }),
      // A signing is waited for less long than a payment: about half a minute.
      defaultAttempts: 20,
    },
    outcome === 'cancelled',
  );
}
