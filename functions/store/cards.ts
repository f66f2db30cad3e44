/** Cards of an account. A chip UID belongs to one card ever; an account has at most one active physical card. */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../app-error';
import { isPhysical, type Card } from '../domain/card';
import { conditionFailedAt, transactWrite } from './conditions';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

/**
 * Issues a card in one transaction: the card item, the chip-UID uniqueness item (physical cards),
 * and the account's active physical card (only if it has none); `alsoWrite` commits with them (an
 * action-log entry), so a refused issue writes none of it.
 */
export async function issueCard(db: Db, card: Card, alsoWrite: TransactItem[] = []): Promise<void> {
  const physical = isPhysical(card.kind);
  if (physical && !card.chipUid) throw new AppError('VALIDATION_FAILED', 'a physical card needs its chip UID');
  try {
    await transactWrite(db, [
      { Put: { TableName: db.tableName, Item: { ...keys.card(card.accountNo, card.cardId), ...card }, ConditionExpression: 'attribute_not_exists(pk)' } },
      physical
        ? {
            Update: {
              TableName: db.tableName,
              Key: keys.account(card.accountNo),
              UpdateExpression: 'SET activePhysicalCardId = :card, activeChipUid = :uid, activePhysicalCardKind = :kind, version = version + :one',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(activePhysicalCardId)',
              ExpressionAttributeValues: { ':card': card.cardId, ':uid': card.chipUid, ':kind': card.kind, ':one': 1 },
            },
          }
        : { ConditionCheck: { TableName: db.tableName, Key: keys.account(card.accountNo), ConditionExpression: 'attribute_exists(pk)' } },
      ...(physical
        ? [
            {
              Put: {
                TableName: db.tableName,
                Item: { ...keys.chipUid(card.chipUid!), accountNo: card.accountNo, cardId: card.cardId },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]
        : []),
      ...alsoWrite,
    ]);
  } catch (error) {
    // Items in order: the card, the account (or its check), the chip UID (physical cards only).
    if (physical && conditionFailedAt(error, 2)) throw new AppError('CARD_UID_TAKEN', card.chipUid);
    if (conditionFailedAt(error, 1)) throw new AppError('CARD_ALREADY_ISSUED', card.accountNo);
    if (conditionFailedAt(error, 0)) throw new AppError('CARD_ALREADY_ISSUED', card.cardId);
    throw error;
  }
}

export async function listCards(db: Db, accountNo: string): Promise<Card[]> {
  const { Items } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.account(accountNo).pk, ':prefix': keys.cardPrefix },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((item) => withoutKeys(item) as unknown as Card);
}

/** The card a chip UID belongs to (what a POS sees when a card is tapped). */
export async function findCardByChipUid(db: Db, chipUid: string): Promise<Card | undefined> {
  const { Item: owner } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.chipUid(chipUid), ConsistentRead: true }));
  if (!owner) return undefined;
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.card(owner.accountNo as string, owner.cardId as string), ConsistentRead: true }),
  );
  return Item ? (withoutKeys(Item) as unknown as Card) : undefined;
}
