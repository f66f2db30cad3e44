/**
 * The card centre's account search indexes: a holder's name (prefix) and the mobile's last 4 digits,
 * an item each under the account (keys.ts: SEARCH#NAME, SEARCH#MOBILE4 on gsi3). They are written
 * with the account and again when a re-import changes the name or the mobile. The mobile number is
 * never stored: only its keyed digest and its mask, and the 4 digits indexed are the mask's own.
 * Account number, student/staff id and chip UID need no new index (the account, gsi1 PERSON#, CARDUID#).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../domain/account';
import type { Db } from './db';
import { keys } from './keys';
import type { TransactItem } from './movements';

/** How a name is compared: NFC, Latin letters in lower case (Chinese names are unchanged). */
export function searchableName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/** The last 4 digits a mobile's mask shows (138****1234), or undefined (no mobile, or a mask without them). */
export function mobileLast4(mobileMasked: string | undefined): string | undefined {
  return /(\d{4})$/.exec(mobileMasked ?? '')?.[1];
}

/** The puts of the account's search items, for the transaction that writes the account or changes its name or mobile. */
export function accountSearchPuts(db: Db, account: Pick<Account, 'accountNo'> & Partial<Pick<Account, 'holderName' | 'mobileMasked'>>): TransactItem[] {
  const puts: TransactItem[] = [];
  const name = searchableName(account.holderName ?? '');
  if (name) puts.push({ Put: { TableName: db.tableName, Item: { ...keys.accountNameSearch(account.accountNo, name), accountNo: account.accountNo } } });
  const last4 = mobileLast4(account.mobileMasked);
  if (last4) puts.push({ Put: { TableName: db.tableName, Item: { ...keys.accountMobileSearch(account.accountNo, last4), accountNo: account.accountNo } } });
  return puts;
}

async function accountNosOn(db: Db, partition: string, prefix: string | undefined, limit: number): Promise<string[]> {
  // One page of at most `limit`: the search answers a capped list, never the whole partition.
  const { Items } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi3',
      KeyConditionExpression: prefix === undefined ? 'gsi3pk = :pk' : 'gsi3pk = :pk AND begins_with(gsi3sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ...(prefix === undefined ? {} : { ':prefix': prefix }) },
      Limit: limit,
    }),
  );
  return (Items ?? []).map((item) => item.accountNo as string);
}

/** Accounts whose holder's name is `name` or starts with it, by name; at most `limit`. */
export function accountNosByNamePrefix(db: Db, name: string, limit: number): Promise<string[]> {
  const prefix = searchableName(name);
  if (!prefix) return Promise.resolve([]);
  return accountNosOn(db, keys.accountNamePartition(prefix), prefix, limit);
}

/** Accounts whose mobile ends in these 4 digits; at most `limit`. */
export function accountNosByMobileLast4(db: Db, last4: string, limit: number): Promise<string[]> {
  return accountNosOn(db, keys.accountMobilePartition(last4), undefined, limit);
}
