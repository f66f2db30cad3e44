/** Card-load reservations: one item per load, and the account's single open reservation (ACCT#…/OPENLOAD). */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CardLoadReservation } from '../domain/card-load';
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
      { Put: { TableName: db.tableName, Item: { ...keys.cardLoad(reservation.loadId), ...reservation }, ConditionExpression: 'attribute_not_exists(pk)' } },
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

/** The writes that close an open reservation (with the money movement when posting). */
export function settleCardLoadItems(
  db: Db,
  reservation: CardLoadReservation,
  status: 'posted' | 'voided',
  settlement: NonNullable<CardLoadReservation['settlement']>,
  now: Date,
): TransactItem[] {
  return [
    {
      Update: {
        TableName: db.tableName,
        Key: keys.cardLoad(reservation.loadId),
        UpdateExpression: 'SET #status = :status, settledAt = :now, settlement = :settlement',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':now': now.toISOString(), ':settlement': settlement, ':open': 'open' },
      },
    },
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

/** Voids an open reservation: the amount stays pending in the transitional balance. False if it was settled meanwhile. */
export async function voidCardLoad(db: Db, reservation: CardLoadReservation, settlement: 'card_shows_no_load', now: Date): Promise<boolean> {
  try {
    await transactWrite(db, settleCardLoadItems(db, reservation, 'voided', settlement, now));
    return true;
  } catch (error) {
    if (failedItems(error).length > 0) return false;
    throw error;
  }
}
