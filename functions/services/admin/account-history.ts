/**
 * An account's history for the card centre: its status changes, its cards' events and its device
 * keys, each with who and when, and the staff actions on it. Reads by key and index only: the
 * account item (its status log), the account's partition (its cards), gsi2 `DEVKEYS#<accountNo>`
 * (its keys) and gsi1 `AUDIT#ACCT#<accountNo>` (its action-log entries).
 */
import type { z } from 'zod';
import { ACCOUNT_HISTORY_ACTIONS_LIMIT, type accountHistory as accountHistoryView, type cardHistoryEventView } from '../../../shared/api/console';
import { AppError } from '../../app-error';
import type { Deps } from '../../deps';
import type { Card, CardStatus } from '../../domain/card';
import { getAccount } from '../../store/accounts';
import { listAccountActions } from '../../store/action-log';
import { listCards } from '../../store/cards';
import { getDeviceKey, listAccountDeviceKeys, type DeviceKey } from '../../store/device-keys';

type History = z.infer<typeof accountHistoryView>;
type CardEvent = z.infer<typeof cardHistoryEventView>;

/** What a change stored before who was kept says for who. */
const UNRECORDED = 'unrecorded';

const CARD_EVENT: Record<CardStatus, CardEvent['event']> = { active: 'found', lost: 'lost', replaced: 'replaced', cancelled: 'cancelled' };

const newestFirst = <T extends { at: string }>(items: T[]): T[] => items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));

export function cardEvents(card: Card): CardEvent[] {
  const base = { cardId: card.cardId, ...(card.chipUid !== undefined ? { chipUid: card.chipUid } : {}), kind: card.kind };
  return [
    {
      ...base,
      event: 'issued',
      at: card.issuedAt,
      by: card.issuedBy ?? UNRECORDED,
      ...(card.replacementFeeFen !== undefined ? { feeFen: card.replacementFeeFen } : {}),
    },
    ...(card.statusLog ?? []).map((change) => ({
      ...base,
      event: CARD_EVENT[change.status],
      at: change.at,
      by: change.by ?? UNRECORDED,
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
      ...(change.feeFen !== undefined ? { feeFen: change.feeFen } : {}),
    })),
  ];
}

export async function accountHistory(deps: Pick<Deps, 'db'>, accountNo: string): Promise<History> {
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  const [cards, indexedKeys, actions] = await Promise.all([
    listCards(deps.db, accountNo),
    listAccountDeviceKeys(deps.db, accountNo),
    listAccountActions(deps.db, accountNo, ACCOUNT_HISTORY_ACTIONS_LIMIT),
  ]);
  // A key registered before the per-account index: only the active one can be found (by the account).
  const activeId = account.activeDeviceKeyId;
  const unindexed = activeId !== undefined && !indexedKeys.some((key) => key.keyId === activeId) ? await getDeviceKey(deps.db, activeId) : undefined;
  const deviceKeys: DeviceKey[] = [...indexedKeys, ...(unindexed ? [unindexed] : [])];

  const log = account.statusLog ?? [];
  const status = log.map((change, i) => {
    const from = change.from ?? log[i - 1]?.status;
    return {
      at: change.at,
      ...(from !== undefined ? { from } : {}),
      to: change.status,
      by: change.by ?? UNRECORDED,
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
    };
  });
  return {
    accountNo,
    status: newestFirst(status),
    cards: newestFirst(cards.flatMap(cardEvents)),
    deviceKeys: deviceKeys
      .map((key) => ({ keyId: key.keyId, registeredAt: key.createdAt, status: key.status, ...(key.revokedAt !== undefined ? { revokedAt: key.revokedAt } : {}) }))
      .sort((a, b) => (a.registeredAt < b.registeredAt ? 1 : a.registeredAt > b.registeredAt ? -1 : 0)),
    actions: actions.map(({ campusDay: _day, ...entry }) => entry),
  };
}
