/**
 * Kiosk password tries on something with no password to check: a chip UID that is unknown, void or
 * replaced, an account number that does not exist, or one with no password set. Counted and locked
 * exactly like a real password's (functions/store/attempt-counter.ts), so the kiosk cannot be used
 * to learn which cards or accounts exist.
 */
import { countAttempt, type CountedAttempt, type LockoutPolicy } from './attempt-counter';
import type { Db } from './db';
import { keys } from './keys';

export function countUnknownKioskAttempt(db: Db, subject: string, policy: LockoutPolicy, now: Date): Promise<CountedAttempt> {
  // A day outlives any lock; then the item goes away by itself (TTL).
  return countAttempt(db, keys.kioskAttempts(subject), policy, now, { mustExist: false, expiresAt: Math.floor(now.getTime() / 1000) + 24 * 3600 });
}
