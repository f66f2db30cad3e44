/** Field shapes several routes share. */
import * as z from 'zod';

/** External transaction ids from POS terminals and platforms: short, printable, no separators we use in keys. */
export const externalId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'only letters, digits, "_" and "-"' });

export const accountNo = z
  .string()
  .regex(/^\d{5,12}$/, { error: 'an account number is 5 to 12 digits' })
  .meta({ description: 'The account number printed on receipts (the student/staff id identifies the holder too)' });


/** A campus day, YYYY-MM-DD (Asia/Shanghai). */
export const campusDay = z.iso.date();

/** A ULID: ledger entry ids and receipt numbers. */
export const ulidString = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { error: 'not a receipt number' });
