/**
 * The console's account page, beyond the account itself: its ledger as staff see it, and a loss
 * reported at the counter (the holder's own loss rule, with the staff member's action-log entry).
 */
import type { z } from 'zod';
import type { adminLedgerEntryView } from '../../../shared/api/console';
import { AppError } from '../../app-error';
import type { Deps } from '../../deps';
import type { MovementType } from '../../domain/ledger';
import type { Actor } from '../../domain/staff';
import { getAccount } from '../../store/accounts';
import { listLedger } from '../../store/ledger';
import { markLost } from '../card-lifecycle';
import { entryView } from '../holder-views';
import { getMerchant } from '../../store/terminals';
import { actionLogPut } from './action-log';

type ConsoleDeps = Pick<Deps, 'db' | 'clock'>;

async function assertAccount(deps: Pick<Deps, 'db'>, accountNo: string): Promise<void> {
  if (!(await getAccount(deps.db, accountNo))) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
}

/** A page of the account's ledger, newest first: the holder's entry view plus who posted each entry. */
export async function accountLedger(
  deps: ConsoleDeps,
  accountNo: string,
  query: { from?: string; to?: string; type?: MovementType[]; cursor?: string; limit: number },
): Promise<{ accountNo: string; entries: z.infer<typeof adminLedgerEntryView>[]; nextCursor?: string }> {
  await assertAccount(deps, accountNo);
  const page = await listLedger(deps.db, accountNo, {
    ...(query.from ? { fromDay: query.from } : {}),
    ...(query.to ? { toDay: query.to } : {}),
    ...(query.type ? { types: query.type } : {}),
    ...(query.cursor ? { after: query.cursor } : {}),
    limit: query.limit,
  });
  const ids = [...new Set(page.entries.flatMap((entry) => (entry.merchantId ? [entry.merchantId] : [])))];
  const merchants = await Promise.all(ids.map((id) => getMerchant(deps.db, id)));
  const names = new Map(merchants.flatMap((merchant) => (merchant ? [[merchant.merchantId, merchant.name] as const] : [])));
  return {
    accountNo,
    entries: page.entries.map((entry) => ({ ...entryView(entry, names), ...(entry.operator ? { operator: entry.operator } : {}) })),
    ...(page.next ? { nextCursor: page.next } : {}),
  };
}

/**
 * The holder is at the counter and staff checked who they are, so no password is asked: the loss
 * rule of the holder's own report (markLost), its action-log entry committed with the change. A card
 * already lost changes nothing and logs nothing.
 */
export async function reportLossAtCounter(
  deps: ConsoleDeps,
  actor: Actor,
  accountNo: string,
  reason: string,
): Promise<{ accountNo: string; status: 'lost'; changed: boolean }> {
  await assertAccount(deps, accountNo);
  const { changed } = await markLost(deps, accountNo, (account) => [
    // A fresh entry per attempt: only the attempt that commits leaves one.
    { Put: actionLogPut(deps, actor, { action: 'account.loss', target: `account:${accountNo}`, reason, details: { previousStatus: account.status } }) },
  ], { by: actor.username, reason });
  return { accountNo, status: 'lost', changed };
}
