/**
 * Replacement cards asked for in the app: the holder files a request (card reported lost, query
 * password), the card centre prepares the card and hands it over, which charges the fee, voids the
 * old card and closes the request in one transaction (services/card-lifecycle.ts replaceCard; an M1
 * card there also releases the transitional balance to the balance).
 */
import { ulid } from 'ulid';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import type { Actor } from '../domain/staff';
import { replacementFeeFen } from '../domain/policy';
import type { ReplacementRequest } from '../domain/replacement';
import { getAccount } from '../store/accounts';
import { getPolicy } from '../store/policy';
import { fileReplacementRequest, getReplacementRequest, listOpenReplacementRequests, replacementIssuedUpdate } from '../store/replacements';
import { loggedMovements } from './admin/action-log';
import { replaceCard } from './card-lifecycle';
import { verifyHolderPassword } from './passwords';

type ReplacementDeps = Pick<Deps, 'db' | 'clock' | 'movements'>;

export async function requestReplacement(deps: ReplacementDeps, accountNo: string, body: { queryPassword: string; kind: 'cpu' | 'm1' }): Promise<ReplacementRequest> {
  await verifyHolderPassword(deps, accountNo, 'query', body.queryPassword);
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', accountNo);
  // The old card must already be stopped: a request is not a loss report, and the new card voids it anyway.
  if (account.status !== 'lost') throw new AppError('REPLACEMENT_NEEDS_LOSS', `${accountNo} is ${account.status}`);
  const policy = await getPolicy(deps.db);
  const now = deps.clock();
  const request: ReplacementRequest = {
    requestId: `R${ulid(now.getTime())}`,
    accountNo,
    kind: body.kind,
    status: 'requested',
    feeFen: replacementFeeFen(policy, account.cardType),
    requestedAt: now.toISOString(),
  };
  await fileReplacementRequest(deps.db, request);
  return request;
}

export async function holderReplacement(deps: Pick<Deps, 'db'>, accountNo: string): Promise<{ request?: ReplacementRequest }> {
  const request = await getReplacementRequest(deps.db, accountNo);
  return request ? { request } : {};
}

export async function openReplacementRequests(deps: Pick<Deps, 'db'>): Promise<{ requests: ReplacementRequest[] }> {
  return { requests: await listOpenReplacementRequests(deps.db) };
}

/** At the counter: the staff member checked the holder's ID and hands over the prepared card. */
export async function issueRequestedReplacement(deps: ReplacementDeps, actor: Actor, accountNo: string, body: { chipUid: string; reason?: string | undefined }): Promise<ReplacementRequest> {
  const request = await getReplacementRequest(deps.db, accountNo);
  if (!request || request.status !== 'requested') throw new AppError('REPLACEMENT_NOT_REQUESTED', accountNo);
  const issuedAt = deps.clock().toISOString();
  const newCardId = `C${body.chipUid}`;
  const audited = loggedMovements(deps, actor, (entry) => ({
    action: 'card.replace',
    target: `account:${accountNo}`,
    reason: body.reason ?? 'replacement requested in the app',
    details: { requestId: request.requestId, receiptNo: entry.receiptNo, feeFen: entry.amountFen, newCardId, kind: request.kind },
  }));
  const { entry } = await replaceCard({ ...audited, clock: deps.clock }, {
    accountNo,
    idempotencyKey: `replacement#request#${request.requestId}`,
    externalRef: request.requestId,
    operator: actor.username,
    newChipUid: body.chipUid,
    newKind: request.kind,
    handedOver: 'counter',
    alsoWrite: (planned) => [{ item: replacementIssuedUpdate(deps.db, request, { issuedAt, newCardId, receiptNo: planned.receiptNo }), onConflict: () => new AppError('REPLACEMENT_NOT_REQUESTED', accountNo) }],
  });
  return { ...request, status: 'issued', issuedAt, newCardId, receiptNo: entry.receiptNo };
}
