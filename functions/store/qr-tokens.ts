/** The once-only register of used QR tokens (TTL: a token is never acceptable again after its window anyway). */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db';
import { keys } from './keys';
import type { TransactItem } from './movements';
import { isConditionFailed } from './conditions';

/** The conditional put that spends a token; payments put it inside their money transaction. */
export function usedTokenPut(db: Db, tokenId: string, accountNo: string, usedFor: string, now: Date, ttlSeconds: number): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: { ...keys.usedQrToken(tokenId), accountNo, usedFor, expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Marks a token used on its own (identity scans); false if it was used before. */
export async function markTokenUsed(db: Db, tokenId: string, accountNo: string, usedFor: string, now: Date, ttlSeconds: number): Promise<boolean> {
  try {
    await db.doc.send(new PutCommand(usedTokenPut(db, tokenId, accountNo, usedFor, now, ttlSeconds)));
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
