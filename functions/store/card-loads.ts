/** Card-load reservations: one item per load, and the account's single open reservation (ACCT#…/OPENLOAD). */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CardLoadReservation, CardLoadResolution } from '../domain/card-load';
import type { PendingOutcome } from '../domain/pending';
import { openPendingAttributes, resolvePendingItem } from './pending';
import { failedItems, transactWrite } from './conditions';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

export async function getCardLoad(db: Db, loadId: string): Promise<CardLoadReservation | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.cardLoad(loadId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as CardLoadReservation) : undefined;
}

export async function getOpenCardLoad(db: Db, accountNo: string): Promise<CardLoadReservation | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.openCardLoad(accountNo), ConsistentRead: true }));
  return Item ? getCardLoad(db, Item.loadId as string) : undefined;
}

/** Opens a reservation if the account has none open; false otherwise (someone else reserved first). */
export async function openCardLoad(db: Db, reservation: CardLoadReservation): Promise<boolean> {
  try {
    await transactWrite(db, [
      {
        Put: {
          TableName: db.tableName,
          Item: { ...keys.cardLoad(reservation.loadId), ...reservation, ...openPendingAttributes(reservation, reservation.loadId) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: db.tableName,
          Item: { ...keys.openCardLoad(reservation.accountNo), loadId: reservation.loadId },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
    return true;
  } catch (error) {
    if (failedItems(error).length > 0) return false;
    throw error;
  }
}

/** The writes that resolve a pending reservation (with the money movement when posting), and free the account for the next. */
export function settleCardLoadItems(db: Db, reservation: CardLoadReservation, to: PendingOutcome, resolution: CardLoadResolution | undefined, now: Date): TransactItem[] {
  return [
    resolvePendingItem(db, keys.cardLoad(reservation.loadId), to, now.toISOString(), resolution !== undefined ? { resolution } : {}),
    {
      Delete: {
        TableName: db.tableName,
        Key: keys.openCardLoad(reservation.accountNo),
        ConditionExpression: 'loadId = :load',
        ExpressionAttributeValues: { ':load': reservation.loadId },
      },
    },
  ];
}

/** Voids or expires a pending reservation: the amount stays in the transitional balance. False if it was resolved meanwhile. */
export async function endCardLoad(db: Db, reservation: CardLoadReservation, to: 'voided' | 'expired', now: Date): Promise<boolean> {
  try {
    await transactWrite(db, settleCardLoadItems(db, reservation, to, 'card_shows_no_load', now));
    return true;
  } catch (error) {
    if (failedItems(error).length > 0) return false;
    throw error;
  }
}
