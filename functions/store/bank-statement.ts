/**
 * The bank statement run's reads: kiosk bank transfer intents by the campus day they were made
 * (gsi1 BANKXFER#DAY#<campusDay>, written with the intent and never removed).
 */
import type { BankTransferIntent } from '../domain/bank-transfer';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';

/** Every intent made on campus day `day`, whatever became of it, oldest first. */
export async function listBankTransfersMadeOn(db: Db, day: string): Promise<BankTransferIntent[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :day',
    ExpressionAttributeValues: { ':day': keys.bankTransferDayIndex(day, '', '', '').gsi1pk },
  });
  return items.map((item) => withoutKeys(item) as unknown as BankTransferIntent);
}
