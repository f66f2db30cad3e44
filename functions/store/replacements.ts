/** Replacement requests: one item per account (its latest request), and the sparse index of open ones. */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../app-error';
import type { ReplacementRequest } from '../domain/replacement';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';
import { isConditionFailed } from './conditions';

export async function getReplacementRequest(db: Db, accountNo: string): Promise<ReplacementRequest | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.replacementRequest(accountNo), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as ReplacementRequest) : undefined;
}

/** Files a new request unless one is still open (a second tap, or two phones, get the same answer). */
export async function fileReplacementRequest(db: Db, request: ReplacementRequest): Promise<void> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.replacementRequest(request.accountNo), ...keys.openReplacementIndex(request.requestedAt, request.accountNo), ...request },
        ConditionExpression: 'attribute_not_exists(pk) OR #status <> :requested',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':requested': 'requested' },
      }),
    );
  } catch (error) {
    if (isConditionFailed(error)) throw new AppError('REPLACEMENT_ALREADY_REQUESTED', request.accountNo);
    throw error;
  }
}

/** Open requests, oldest first. */
export async function listOpenReplacementRequests(db: Db, limit = 200): Promise<ReplacementRequest[]> {
  const { Items = [] } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :open',
      ExpressionAttributeValues: { ':open': keys.openReplacementPartition },
      Limit: limit,
    }),
  );
  return Items.map((item) => withoutKeys(item) as unknown as ReplacementRequest);
}

/** The write that closes the request with the replacement's own transaction; only that request, only while open. */
export function replacementIssuedUpdate(db: Db, request: ReplacementRequest, issued: { issuedAt: string; newCardId: string; receiptNo: string }): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.replacementRequest(request.accountNo),
      UpdateExpression: 'SET #status = :issued, issuedAt = :at, newCardId = :card, receiptNo = :receipt REMOVE gsi2pk, gsi2sk',
      ConditionExpression: '#status = :requested AND requestId = :id',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':issued': 'issued', ':requested': 'requested', ':id': request.requestId, ':at': issued.issuedAt, ':card': issued.newCardId, ':receipt': issued.receiptNo },
    },
  };
}
