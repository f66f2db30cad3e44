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

export interface SigningDeps {
  api: Pick<ApiClient, 'signAutoReload' | 'autoReload'>;
  /** Opens the platform's signing page (or the H5 stand-in) and says whether the holder came back or gave up. */
  sign: (created: AutoReloadSigning) => Promise<SigningOutcome>;
  sleep: (ms: number) => Promise<void>;
  onPhase: (phase: SigningPhase) => void;
  pollIntervalMs?: number;
  pollAttempts?: number;
}

export async function runSigning(deps: SigningDeps, channel: 'wechat' | 'alipay', thresholdFen: number, amountFen: number): Promise<SigningPhase> {
  const finish = (phase: SigningPhase) => {
    deps.onPhase(phase);
    return phase;
  };
  deps.onPhase({ kind: 'starting' });
  let created: AutoReloadSigning;
  try {
    created = await deps.api.signAutoReload(channel, thresholdFen, amountFen);
  } catch (error) {
    return finish({ kind: 'failed', error });
  }
  deps.onPhase({ kind: 'signing', created });
  let outcome: SigningOutcome;
  try {
    outcome = await deps.sign(created);
  } catch {
    // The signing page failed to open or gave no answer: the holder may still have signed, so ask.
    outcome = 'returned';
  }
  return finish(await confirmSigning(deps, outcome));
}

/** Polls the agreement until the server has the platform's word; one look when the holder gave up (they may have signed anyway). */
export async function confirmSigning(deps: Pick<SigningDeps, 'api' | 'sleep' | 'onPhase' | 'pollIntervalMs' | 'pollAttempts'>, outcome: SigningOutcome): Promise<SigningPhase> {
  const attempts = outcome === 'cancelled' ? 1 : (deps.pollAttempts ?? 20);
  let latest: AutoReload | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (outcome === 'returned') deps.onPhase({ kind: 'confirming' });
    try {
      latest = await deps.api.autoReload();
      if (latest.status === 'active') return { kind: 'active', view: latest };
      // Cancelled meanwhile (by the platform): nothing to wait for.
      if (latest.status === 'cancelled' || latest.status === 'none') return { kind: 'pending', view: latest, outcome };
    } catch (error) {
      if (!(error instanceof ApiError) || (error.code !== 'NETWORK' && error.status < 500)) return { kind: 'failed', error };
    }
    if (attempt + 1 < attempts) await deps.sleep(deps.pollIntervalMs ?? 1_500);
  }
  if (latest) return { kind: 'pending', view: latest, outcome };
  return { kind: 'failed', error: new ApiError('NETWORK', 0) };
}
