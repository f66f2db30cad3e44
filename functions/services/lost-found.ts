/**
 * Lost and found (issue 18, item 6; docs/lost-and-found.md): a lost card's refused tap tells its
 * holder (best effort, one bounded Put beside the refusal), finders report found cards at a kiosk or
 * in the app (one answer whatever exists, rate-limited), the card centre hands them back.
 */
import type { z } from 'zod';
import type { adminFoundCardView, ownFoundCardView, lostCardTapView } from '../../shared/api/lost-found';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { ulid } from 'ulid';
import { maskHolderName } from '../domain/account';
import {
  cardToRecordAsFound,
  collectionPlace,
  finderAsOwnerSees,
  FOUND_CARD_ANSWER,
  foundCardEvent,
  foundSourceId,
  LOST_FOUND_POLICY,
  LOST_TAP_VIA,
  lostTapEvent,
  lostTapMessage,
  type FoundCard,
  type FoundCardState,
  type LostTap,
  type LostTapVia,
} from '../domain/lost-found';
import type { Terminal } from '../domain/merchant';
import type { Actor } from '../domain/staff';
import { findAccountByPersonId, getAccount, getAccounts } from '../store/accounts';
import { listCards } from '../store/cards';
import { collectFoundCard, countFoundCardReport, getFoundCard, listAccountFoundCards, listFoundCardsByState, listLostTaps, putLostTap, recordFoundCard } from '../store/found-cards';
import { actionLogPut } from './admin/action-log';

type TapDeps = Pick<Deps, 'db' | 'clock'> & Partial<Pick<Deps, 'logger'>>;

/**
 * Records a lost card's refused tap for its holder: one conditional Put (the bucket's id makes a
 * thief's retries one event), awaited at most LOST_FOUND_POLICY.tapRecordBudgetMs, and never thrown:
 * the refusal answers exactly as it would without it.
 */
export async function tellOfLostTap(deps: TapDeps, tap: LostTap): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const { sourceId, event } = lostTapEvent(tap, deps.clock());
    const put = putLostTap(deps.db, sourceId, event).catch((error: unknown) => {
      deps.logger?.warn('lost-card tap not recorded', { accountNo: tap.accountNo, terminalId: tap.terminal.terminalId, error: String(error) });
    });
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, LOST_FOUND_POLICY.tapRecordBudgetMs);
      timer.unref?.();
    });
    await Promise.race([put, budget]);
  } catch (error) {
    deps.logger?.warn('lost-card tap not recorded', { accountNo: tap.accountNo, error: String(error) });
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The refused-tap hook of the tap paths: when `refusal` is CARD_LOST, tells the holder; other refusals, nothing. */
export async function tellIfLost(deps: TapDeps, refusal: unknown, terminal: Pick<Terminal, 'terminalId' | 'merchantId' | 'place'>, card: { accountNo: string; cardRef: string }, via: LostTapVia): Promise<void> {
  const code = refusal instanceof AppError ? refusal.code : refusal;
  if (code !== 'CARD_LOST') return;
  await tellOfLostTap(deps, { accountNo: card.accountNo, cardRef: card.cardRef, terminal: { terminalId: terminal.terminalId, merchantId: terminal.merchantId, place: terminal.place }, via });
}

export type Finder = { via: 'kiosk'; terminal: Terminal } | { via: 'app'; accountNo: string };

/**
 * A finder's report. Counted first (the rate limit holds under any concurrency), then the number is
 * looked up (an account number, else a student/staff id); a card the rule says to hand back is
 * recorded with its owner's card_found event. The answer is FOUND_CARD_ANSWER whatever was found.
 * (A kiosk's kind is checked by its handler: this module stays light for the payment paths that import it.)
 */
export async function reportFoundCard(deps: Pick<Deps, 'db' | 'clock'>, finder: Finder, cardNumber: string): Promise<typeof FOUND_CARD_ANSWER & { handInAt: string }> {
  const subject = finder.via === 'kiosk' ? `kiosk#${finder.terminal.terminalId}` : `holder#${finder.accountNo}`;
  const policy = finder.via === 'kiosk' ? LOST_FOUND_POLICY.kioskReports : LOST_FOUND_POLICY.holderReports;
  const now = deps.clock();
  const attempt = await countFoundCardReport(deps.db, subject, policy, now);
  if (attempt.outcome === 'locked') throw new AppError('FOUND_CARD_REPORTS_LIMITED', subject, { minutes: policy.lockMinutes });
  const account = (await getAccount(deps.db, cardNumber)) ?? (await findAccountByPersonId(deps.db, cardNumber));
  const card = account?.activePhysicalCardId ? (await listCards(deps.db, account.accountNo)).find((c) => c.cardId === account.activePhysicalCardId) : undefined;
  const reporter = finder.via === 'app' ? finder.accountNo : undefined;
  const kioskPlace = finder.via === 'kiosk' ? finder.terminal.place : undefined;
  if (account && card && cardToRecordAsFound(account, card, reporter)) {
    const found: FoundCard = {
      foundId: ulid(now.getTime()),
      accountNo: account.accountNo,
      cardId: card.cardId,
      via: finder.via,
      ...(finder.via === 'kiosk' ? { terminalId: finder.terminal.terminalId } : { reporterAccountNo: finder.accountNo }),
      collectAt: collectionPlace(finder.via, kioskPlace),
      reportedAt: now.toISOString(),
      accountStatusThen: account.status,
      status: 'open',
    };
    await recordFoundCard(deps.db, found, foundSourceId(found.foundId), foundCardEvent(found, finderAsOwnerSees(finder.via, kioskPlace)));
  }
  return { ...FOUND_CARD_ANSWER, handInAt: collectionPlace(finder.via, kioskPlace) };
}

const KEEP_MS = 7 * 24 * 3600_000;

/** The holder's card page: the last week's refused taps of their lost card, and their found cards. */
export async function lostCardTapsOf(
  deps: Pick<Deps, 'db' | 'clock'>,
  accountNo: string,
): Promise<{ taps: z.infer<typeof lostCardTapView>[]; found: z.infer<typeof ownFoundCardView>[] }> {
  const since = new Date(deps.clock().getTime() - KEEP_MS).toISOString();
  const [events, found] = await Promise.all([listLostTaps(deps.db, accountNo, LOST_FOUND_POLICY.recentLimit), listAccountFoundCards(deps.db, accountNo, LOST_FOUND_POLICY.recentLimit)]);
  return {
    taps: events
      .filter((event) => event.kind === 'lost_card_tapped' && event.at >= since)
      .map((event) => {
        const place = event.placeName ?? '校内终端';
        const via = (LOST_TAP_VIA as readonly string[]).includes(event.tapVia ?? '') ? (event.tapVia as LostTapVia) : 'pos';
        return { at: event.at, place, via, message: lostTapMessage(event.at, place) };
      }),
    found: found.map((item) => ({
      reportedAt: item.reportedAt,
      collectAt: item.collectAt,
      finder: finderAsOwnerSees(item.via, item.via === 'kiosk' ? item.collectAt : undefined),
      status: item.status,
      ...(item.collectedAt ? { collectedAt: item.collectedAt } : {}),
    })),
  };
}

type AdminFoundCard = z.infer<typeof adminFoundCardView>;

function adminView(found: FoundCard, holderName: string | undefined): AdminFoundCard {
  return { ...found, ...(holderName ? { holderDisplayName: maskHolderName(holderName) } : {}) };
}

export async function listFoundCards(
  deps: Pick<Deps, 'db'>,
  query: { state: FoundCardState; cursor?: string | undefined; limit: number },
): Promise<{ foundCards: AdminFoundCard[]; nextCursor?: string }> {
  const page = await listFoundCardsByState(deps.db, query.state, { after: query.cursor, limit: query.limit });
  const accounts = new Map((await getAccounts(deps.db, [...new Set(page.foundCards.map((found) => found.accountNo))])).map((account) => [account.accountNo, account]));
  return {
    foundCards: page.foundCards.map((found) => adminView(found, accounts.get(found.accountNo)?.holderName)),
    ...(page.next ? { nextCursor: page.next } : {}),
  };
}

/** Hands a found card back to its owner: once, with the reason in the action log. The same collection again answers as it did. */
export async function markFoundCardCollected(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, foundId: string, body: { reason: string }): Promise<{ foundCard: AdminFoundCard; replayed: boolean }> {
  const read = async () => {
    const found = await getFoundCard(deps.db, foundId);
    if (!found) throw new AppError('FOUND_CARD_NOT_FOUND', foundId);
    return found;
  };
  const sameCollection = (found: FoundCard) => found.status === 'collected' && found.collectedBy === actor.username && found.collectReason === body.reason;
  const holderName = async (found: FoundCard) => (await getAccount(deps.db, found.accountNo))?.holderName;
  const found = await read();
  if (sameCollection(found)) return { foundCard: adminView(found, await holderName(found)), replayed: true };
  if (found.status === 'collected') throw new AppError('FOUND_CARD_ALREADY_COLLECTED', foundId);
  const collection = { collectedAt: deps.clock().toISOString(), collectedBy: actor.username, collectReason: body.reason };
  const log = actionLogPut(deps, actor, {
    action: 'found_card.collect',
    target: `account:${found.accountNo}`,
    reason: body.reason,
    details: { foundId, cardId: found.cardId, via: found.via, collectAt: found.collectAt },
  });
  if (await collectFoundCard(deps.db, foundId, collection, [{ Put: log }])) {
    return { foundCard: adminView({ ...found, ...collection, status: 'collected' }, await holderName(found)), replayed: false };
  }
  // Collected by someone else meanwhile.
  const now = await read();
  if (sameCollection(now)) return { foundCard: adminView(now, await holderName(now)), replayed: true };
  throw new AppError('FOUND_CARD_ALREADY_COLLECTED', foundId);
}
