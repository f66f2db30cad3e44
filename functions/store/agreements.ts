/**
 * Automatic reload's records (issue 18 item 2): the holder's recurring-debit agreement (one per
 * account, ACCT#<accountNo> / AUTORELOAD, status signing → active → cancelled), its code on the
 * platform → the account (the platform's notifications only name the code), and the daily count of
 * reloads (one counter item per account and campus day, added to in the reload order's own
 * transaction, so concurrent reloads can never pass the cap).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AgreementStatus, AutoReloadAgreement } from '../domain/auto-reload';
import { isConditionFailed, transactWrite, transactWriteIfFirstHolds } from './conditions';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

/** Two days: the counter outlives its campus day (Beijing) wherever the clock is, then goes by itself. */
const DAY_TTL_SECONDS = 2 * 24 * 3600;

export async function getAgreement(db: Db, accountNo: string): Promise<AutoReloadAgreement | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.autoReload(accountNo), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as AutoReloadAgreement) : undefined;
}

export async function accountOfAgreementCode(db: Db, channel: string, code: string): Promise<string | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.agreementCode(channel, code), ConsistentRead: true }));
  return typeof Item?.accountNo === 'string' ? Item.accountNo : undefined;
}

/**
 * A new signing (status signing), with its code's look-up, in one transaction. Refused (false) when
 * the account's agreement is active or signing under another code meanwhile (two sign requests at once).
 */
export async function putSigningAgreement(db: Db, agreement: AutoReloadAgreement, replacing: AutoReloadAgreement | undefined): Promise<boolean> {
  try {
    await transactWrite(db, [
      {
        Put: {
          TableName: db.tableName,
          Item: { ...keys.autoReload(agreement.accountNo), ...agreement },
          // Replaces only what was read (a cancelled agreement, or a signing never finished), or nothing.
          ...(replacing
            ? { ConditionExpression: 'agreementCode = :code AND updatedAt = :updated', ExpressionAttributeValues: { ':code': replacing.agreementCode, ':updated': replacing.updatedAt } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      { Put: { TableName: db.tableName, Item: { ...keys.agreementCode(agreement.channel, agreement.agreementCode), accountNo: agreement.accountNo }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ]);
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'TransactionCanceledException') return false;
    throw error;
  }
}

/**
 * Moves the agreement `code` to `status` if it is in one of `from` (so a late notification cannot
 * revive a cancelled agreement, nor touch a newer signing). False: not in one of those states, and
 * then nothing of `alsoWrite` (e.g. a staff action's log entry) is written either: one transaction.
 */
export async function moveAgreement(
  db: Db,
  accountNo: string,
  code: string,
  from: readonly AgreementStatus[],
  to: AgreementStatus,
  set: Partial<Pick<AutoReloadAgreement, 'platformAgreementId' | 'payerId' | 'signedAt' | 'cancelledAt' | 'cancelledBy'>>,
  now: Date,
  alsoWrite: TransactItem[] = [],
): Promise<boolean> {
  const fields = Object.entries(set).filter(([, value]) => value !== undefined);
  const update = {
    TableName: db.tableName,
    Key: keys.autoReload(accountNo),
    UpdateExpression: `SET #status = :to, updatedAt = :now${fields.map(([name]) => `, #${name} = :${name}`).join('')}`,
    ConditionExpression: `agreementCode = :code AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
    ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(fields.map(([name]) => [`#${name}`, name])) },
    ExpressionAttributeValues: {
      ':to': to,
      ':now': now.toISOString(),
      ':code': code,
      ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
      ...Object.fromEntries(fields.map(([name, value]) => [`:${name}`, value])),
    },
  };
  if (alsoWrite.length > 0) return transactWriteIfFirstHolds(db, [{ Update: update }, ...alsoWrite]);
  try {
    await db.doc.send(new UpdateCommand(update));
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** The reload amount, on an agreement that is not cancelled. False: there is none. */
export async function setAgreementAmount(db: Db, accountNo: string, amountFen: number, now: Date): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.autoReload(accountNo),
        UpdateExpression: 'SET amountFen = :amount, updatedAt = :now',
        ConditionExpression: '#status IN (:signing, :active)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':amount': amountFen, ':now': now.toISOString(), ':signing': 'signing', ':active': 'active' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** The day's counter, added to with the reload order: the transaction fails on this item when `dailyMax` reloads were ordered already. */
export function reloadDayItem(db: Db, accountNo: string, campusDay: string, dailyMax: number, now: Date): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.autoReloadDay(accountNo, campusDay),
      UpdateExpression: 'ADD reloads :one SET expiresAt = :expires',
      ConditionExpression: 'attribute_not_exists(reloads) OR reloads < :max',
      ExpressionAttributeValues: { ':one': 1, ':max': dailyMax, ':expires': Math.floor(now.getTime() / 1000) + DAY_TTL_SECONDS },
    },
  };
}

export async function reloadsOn(db: Db, accountNo: string, campusDay: string): Promise<number> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.autoReloadDay(accountNo, campusDay), ConsistentRead: true }));
  return typeof Item?.reloads === 'number' ? Item.reloads : 0;
}
