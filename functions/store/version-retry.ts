/**
 * The one loop for a versioned update: read the item, decide, and write on condition that it is still
 * the version read; when another writer got there first, read again and decide again. Money never
 * goes through here (the movement store has its own, longer loop with the idempotency record).
 */
import { AppError } from '../app-error';
import { isTransactionConflict } from './conditions';

export interface VersionRetryOptions {
  /** Reads and writes tried before giving up with BUSY_RETRY (5, as every caller had). */
  attempts?: number;
  /** Said in the BUSY_RETRY detail (logs only). */
  what?: string;
}

/**
 * `attempt` decides from what `read` returned and writes; it answers `false` when the write's version
 * condition failed (someone changed the item: read and decide again), or the result. A transaction
 * conflict thrown from the write is tried again the same way; anything else it throws is the answer.
 * Exhausted: BUSY_RETRY.
 */
export async function withVersionRetry<S, T>(
  read: () => Promise<S>,
  attempt: (current: S) => Promise<T | false>,
  options: VersionRetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await pause(i);
    try {
      const result = await attempt(await read());
      if (result !== false) return result;
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
    }
  }
  throw new AppError('BUSY_RETRY', `${options.what ?? 'a versioned update'}: the item kept changing (${attempts} attempts)`);
}

/** Full jitter, a few milliseconds: competing writers spread out instead of colliding again in step. */
function pause(attemptNo: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20, 2 ** attemptNo)));
}
