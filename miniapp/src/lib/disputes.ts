/**
 * Disputing a payment from its receipt (issue 18): which receipts offer it, the form checked by the
 * server's own contract, and a dispute's state in the holder's words.
 */
import { DISPUTE_DESCRIPTION_MAX, raiseDisputeBody } from '@shared/api/disputes';
import { DISPUTE_REASONS, type DisputeReason, type DisputeStatus } from '@shared/vocabulary';
import type { DisputeRequest, HolderDispute, LedgerEntry } from './api';
import { ApiError } from './api';
import type { TextKey } from './i18n';

export { DISPUTE_DESCRIPTION_MAX, DISPUTE_REASONS };

/** A receipt offers a dispute when it is a payment (the server checks the window and the rest, and says why in words). */
export function mayDispute(entry: Pick<LedgerEntry, 'type'>): boolean {
  return entry.type === 'purchase';
}

export const REASON_WORDS: Record<DisputeReason, TextKey> = {
  charged_twice: 'dispute.reason.charged_twice',
  wrong_amount: 'dispute.reason.wrong_amount',
  not_received: 'dispute.reason.not_received',
  not_me: 'dispute.reason.not_me',
  other: 'dispute.reason.other',
};

export const STATUS_WORDS: Record<DisputeStatus, TextKey> = {
  submitted: 'dispute.status.submitted',
  refunded: 'dispute.status.refunded',
  refused: 'dispute.status.refused',
};

export type DisputeField = 'reason' | 'description';

/** The form as the API takes it (trimmed), or what to fix. */
export function checkDispute(receiptNo: string, form: { reason?: DisputeReason | undefined; description: string }): { ok: true; request: DisputeRequest } | { ok: false; errors: Partial<Record<DisputeField, TextKey>> } {
  const parsed = raiseDisputeBody.safeParse({ receiptNo, reason: form.reason, description: form.description });
  if (parsed.success) return { ok: true, request: parsed.data };
  const errors: Partial<Record<DisputeField, TextKey>> = {};
  for (const issue of parsed.error.issues) {
    if (issue.path[0] === 'reason') errors.reason ??= 'dispute.invalid.reason';
    if (issue.path[0] === 'description') errors.description ??= 'dispute.invalid.description';
  }
  return { ok: false, errors };
}

/** The receipt's dispute, or none yet (the server's DISPUTE_NOT_FOUND); any other failure is thrown. */
export async function disputeOrNone(read: () => Promise<HolderDispute>): Promise<HolderDispute | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiError && error.code === 'DISPUTE_NOT_FOUND') return null;
    throw error;
  }
}
