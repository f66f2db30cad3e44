/**
 * Money is integer fen (1 yuan = 100 fen) everywhere. Yuan appear only when formatting for people
 * or when a payment platform's wire format demands a decimal string (Alipay), and both directions
 * are done here with integer arithmetic only.
 */
import * as z from 'zod';

/** Upper bound for any single amount: 10 million yuan, far above every policy limit, far below 2^53. */
export const MAX_AMOUNT_FEN = 1_000_000_000;

/** A positive amount of money in fen, as a JSON number (strings and fractions are refused). */
export const amountFen = z
  .number({ error: 'must be a number of fen' })
  .int({ error: 'must be a whole number of fen' })
  .positive({ error: 'must be more than 0 fen' })
  .max(MAX_AMOUNT_FEN, { error: `must be at most ${MAX_AMOUNT_FEN} fen` });

/** A balance in fen: a whole number, zero or more. */
export const balanceFen = z.number().int().min(0);

/** 1234 → "12.34"; -5 → "-0.05". */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not a whole number of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.trunc(abs / 100);
  const rest = abs % 100;
  return `${sign}${yuan}.${rest.toString().padStart(2, '0')}`;
}

/** "12.34" | "12.3" | "12" → 1234 fen. Refuses anything that is not a plain non-negative decimal with at most 2 places. */
export function parseYuan(text: string): number {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new RangeError(`not an amount in yuan: ${JSON.stringify(text)}`);
  const whole = Number(match[1]);
  const cents = Number((match[2] ?? '').padEnd(2, '0'));
  return whole * 100 + cents;
}
