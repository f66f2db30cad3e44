/** The card centre's counter: issue one person, look an account up, issue the physical card. */
import type { z } from 'zod';
import type { adminAccount } from '../../../shared/api/admin';
import { AppError } from '../../app-error';
import { identityKey } from '../../auth/session-secret';
import type { Deps } from '../../deps';
import { CARD_TYPES } from '../../domain/account';
import { campusDay } from '../../domain/campus-day';
import type { Card } from '../../domain/card';
import { checkIssueRow, type IssueRow } from '../../domain/issuance';
import { isLocked, PASSWORD_KINDS } from '../../domain/passwords';
import type { Actor } from '../../domain/staff';
import { getAccount } from '../../store/accounts';
import { writeActionLogEntry } from '../../store/action-log';
import { issueCard, listCards } from '../../store/cards';
import { getPasswordRecord } from '../../store/passwords';
import { getPolicy } from '../../store/policy';
import { accountView, maskTail } from '../holder-views';
import { actionLogPut, newActionLogEntry } from './action-log';
import { validationFailed } from './imports';
import { issueAccounts } from './issuance';

type AdminDeps = Pick<Deps, 'db' | 'clock' | 'config'>;

/** One person at the counter: the rules of an import row, any card type. */
export async function issueOneAccount(
  deps: AdminDeps,
  actor: Actor,
  body: IssueRow & { reason?: string | undefined },
): Promise<{ outcome: 'created' | 'unchanged' | 'updated'; accountNo: string; personId: string }> {
  const policy = await getPolicy(deps.db);
  const check = checkIssueRow(body, { today: campusDay(deps.clock()), policy, cardTypes: CARD_TYPES });
  if (!check.ok) throw validationFailed(check.problems.map(({ field, reason }) => ({ path: field, problem: reason })));
  const [result] = await issueAccounts(deps, {
    rows: [{ line: 1, request: check.request }],
    policy,
    secret: await identityKey(deps.config),
    actor,
    reason: body.reason ?? 'issued at the card centre',
  });
  if (result!.outcome === 'rejected') throw new AppError('PERSON_ID_CONFLICT', `${check.request.personId}: ${result!.reasons.join('; ')}`);
  return { outcome: result!.outcome, accountNo: result!.accountNo, personId: result!.personId };
}

/** The account for staff: identity as masks only. Looking at a person's data is itself audited. */
export async function adminAccountView(deps: AdminDeps, actor: Actor, accountNo: string): Promise<z.infer<typeof adminAccount>> {
  const [account, cards, query, consumption] = await Promise.all([
    getAccount(deps.db, accountNo),
    listCards(deps.db, accountNo),
    getPasswordRecord(deps.db, accountNo, 'query'),
    getPasswordRecord(deps.db, accountNo, 'consumption'),
  ]);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  const now = deps.clock();
  await writeActionLogEntry(deps.db, newActionLogEntry(deps, actor, { action: 'account.view', target: `account:${accountNo}`, reason: 'account looked up' }));
  const records = { query, consumption };
  return {
    ...accountView(account, cards, campusDay(now)),
    ...(account.idType ? { idType: account.idType } : {}),
    ...(account.idNumberMasked ? { idNumberMasked: account.idNumberMasked } : {}),
    ...(account.mobileMasked ? { mobileMasked: account.mobileMasked } : {}),
    ...(account.boundBankCardNo ? { bankCardNoMasked: maskTail(account.boundBankCardNo) } : {}),
    passwords: PASSWORD_KINDS.map((kind) => {
      const record = records[kind];
      if (!record) return { kind, set: false };
      return { kind, set: true, isDefault: record.isDefault, ...(isLocked(record, now) ? { lockedUntil: record.lockedUntil! } : {}) };
    }),
    createdAt: account.createdAt,
  };
}

/** The physical card of an account without one (first issue; replacements are the kiosk's and the lifecycle's). */
export async function issuePhysicalCard(
  deps: AdminDeps,
  actor: Actor,
  accountNo: string,
  body: { kind: 'cpu' | 'm1'; chipUid: string; reason?: string | undefined },
): Promise<{ cardId: string; kind: 'cpu' | 'm1'; status: Card['status']; chipUidMasked: string; issuedOn: string }> {
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', accountNo);
  const now = deps.clock();
  // The card id follows the chip, as the kiosk's replacement names it: a UID belongs to one card ever.
  const card: Card = { cardId: `C${body.chipUid}`, accountNo, kind: body.kind, chipUid: body.chipUid, status: 'active', issuedAt: now.toISOString(), issuedOn: campusDay(now), issuedBy: actor.username };
  const audit = actionLogPut(deps, actor, {
    action: 'card.issue',
    target: `account:${accountNo}`,
    reason: body.reason ?? 'card issued',
    details: { cardId: card.cardId, kind: card.kind },
  });
  await issueCard(deps.db, card, [{ Put: audit }]);
  return { cardId: card.cardId, kind: body.kind, status: card.status, chipUidMasked: maskTail(body.chipUid), issuedOn: card.issuedOn };
}
