/** Card-centre help for a holder in person: a forgotten password reset, and unfreezing after reconciliation. */
import { AppError } from '../../app-error';
import { identityKey } from '../../auth/session-secret';
import type { Deps } from '../../deps';
import type { Account } from '../../domain/account';
import { digestsEqual, idNumberDigest } from '../../domain/identity';
import { defaultPassword, hashPassword, type PasswordKind } from '../../domain/passwords';
import type { Actor } from '../../domain/staff';
import { changeAccountStatus, getAccount } from '../../store/accounts';
import { listCards } from '../../store/cards';
import { resetPasswordRecord } from '../../store/issued-accounts';
import { getPolicy } from '../../store/policy';
import { withVersionRetry } from '../../store/version-retry';
import { actionLogPut } from './action-log';

type CareDeps = Pick<Deps, 'db' | 'clock' | 'config'>;

async function readAccount(deps: Pick<Deps, 'db'>, accountNo: string): Promise<Account> {
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  return account;
}

/**
 * Forgotten passwords are reset only at the card centre, with the card and the ID in hand: the ID
 * number typed must match the keyed digest on file, and the password goes back to the ID-number
 * default (to be changed by the holder), its failed attempts and lock cleared.
 */
export async function resetToDefaultPassword(
  deps: CareDeps,
  actor: Actor,
  accountNo: string,
  body: { kind: PasswordKind; idNumber: string; reason: string },
): Promise<{ kind: PasswordKind; isDefault: true; changedAt: string }> {
  const account = await readAccount(deps, accountNo);
  if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', accountNo);
  if (!account.idNumberDigest) throw new AppError('IDENTITY_NOT_ON_FILE', accountNo);
  if (!digestsEqual(account.idNumberDigest, idNumberDigest(await identityKey(deps.config), body.idNumber))) {
    throw new AppError('IDENTITY_MISMATCH', `${body.kind} password reset of ${accountNo}`);
  }
  const password = defaultPassword(body.idNumber, (await getPolicy(deps.db)).idNumberX);
  // Issuance refuses ID numbers without a default, so a matching one always has it.
  if (!password) throw new Error(`account ${accountNo}: its ID number gives no default password`);
  const now = deps.clock();
  const record = await hashPassword(password, { isDefault: true, now });
  const audit = actionLogPut(deps, actor, { action: 'password.reset', target: `account:${accountNo}`, reason: body.reason, details: { kind: body.kind } });
  if (!(await resetPasswordRecord(deps.db, accountNo, body.kind, record, [{ Put: audit }]))) throw new AppError('CARD_CANCELLED', accountNo);
  return { kind: body.kind, isDefault: true, changedAt: record.changedAt };
}

/**
 * After card staff reconciled a frozen account (or the holder came in about a lost card): active
 * again, off the offline blacklist, version bumped; the lost physical card comes back with it. A card
 * that was replaced stays replaced (the account's active card is the new one), and a closed account
 * is never reopened.
 */
export async function unfreezeByCardCentre(
  deps: CareDeps,
  actor: Actor,
  accountNo: string,
  reason: string,
): Promise<{ accountNo: string; status: 'active'; previousStatus: 'frozen' | 'lost' }> {
  return withVersionRetry(
    () => readAccount(deps, accountNo),
    async (account) => {
      if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', accountNo);
      if (account.status !== 'frozen' && account.status !== 'lost') throw new AppError('ACCOUNT_NOT_FROZEN', `${accountNo} is ${account.status}`);
      const active = account.activePhysicalCardId ? (await listCards(deps.db, accountNo)).find((card) => card.cardId === account.activePhysicalCardId) : undefined;
      const previousStatus = account.status;
      // A fresh entry per attempt: only the attempt that commits leaves one.
      const audit = actionLogPut(deps, actor, { action: 'account.unfreeze', target: `account:${accountNo}`, reason, details: { previousStatus } });
      const card = active?.status === 'lost' ? { cardId: active.cardId, chipUid: active.chipUid, status: 'active' as const } : undefined;
      const changed = await changeAccountStatus(deps.db, account, 'active', card, deps.clock().toISOString(), [{ Put: audit }], { by: actor.username, reason });
      return changed && { accountNo, status: 'active' as const, previousStatus };
    },
    { what: `unfreeze of ${accountNo}` },
  );
}
