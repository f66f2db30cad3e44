/**
 * A fake campus network accounting system (functions/payments/network.ts) on 127.0.0.1: student
 * network accounts (registered, suspended, or unknown), fee weeks credited once per delivery id,
 * and a week credited to an account only once. `npm start` registers every student by default.
 */
import type { NetworkAccountStatus } from '../domain/utilities';
import { startFakeUtilitySystem, type FakeUtilitySystem } from './fake-utility-system';

export interface FakeNetwork extends FakeUtilitySystem {
  setAccount(studentId: string, status: NetworkAccountStatus): void;
  /** The weeks credited to a student's account, sorted. */
  paidWeeks(studentId: string): string[];
}

export async function startFakeNetwork(options: { defaultStatus?: NetworkAccountStatus } = {}): Promise<FakeNetwork> {
  const accounts = new Map<string, NetworkAccountStatus>();
  const weeks = new Map<string, Set<string>>();
  const statusOf = (studentId: unknown) => accounts.get(String(studentId)) ?? options.defaultStatus ?? 'unknown';
  const system = await startFakeUtilitySystem({
    lookups: { '/accounts/query': (payload) => ({ status: statusOf(payload.studentId) }) },
    deliverPath: '/fees',
    cancelPath: '/fees/cancel',
    refPrefix: 'NET',
    decide: (payload) => {
      const studentId = String(payload.studentId ?? '');
      const status = statusOf(studentId);
      if (status !== 'registered') return { accept: false, reason: status === 'suspended' ? 'ACCOUNT_SUSPENDED' : 'ACCOUNT_UNKNOWN' };
      const asked = Array.isArray(payload.weeks) ? payload.weeks.map(String) : [];
      const paid = weeks.get(studentId) ?? new Set<string>();
      if (asked.length === 0 || asked.some((week) => paid.has(week))) return { accept: false, reason: 'WEEK_ALREADY_PAID' };
      for (const week of asked) paid.add(week);
      weeks.set(studentId, paid);
      return { accept: true };
    },
  });
  return {
    ...system,
    setAccount: (studentId, status) => void accounts.set(studentId, status),
    paidWeeks: (studentId) => [...(weeks.get(studentId) ?? [])].sort(),
  };
}
