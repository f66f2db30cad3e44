import { describe, expect, it } from 'vitest';
import { amountFen, formatYuan, MAX_AMOUNT_FEN, parseYuan } from '../../shared/money';

describe('money in integer fen', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [10, '0.10'],
    [1234, '12.34'],
    [100_000, '1000.00'],
    [-5, '-0.05'],
    [-1234, '-12.34'],
  ])('formatYuan(%i) = %s', (fen, text) => expect(formatYuan(fen)).toBe(text));

  it('formatYuan refuses fractions of a fen', () => expect(() => formatYuan(1.5)).toThrow(RangeError));

  it.each([
    ['12.34', 1234],
    ['12.3', 1230],
    ['12', 1200],
    ['0.01', 1],
    ['999.00', 99_900],
  ])('parseYuan(%s) = %i', (text, fen) => expect(parseYuan(text)).toBe(fen));

  it.each(['', '1.234', '-1', '1e3', ' 1', '1,00', 'abc', '.5', '0x10'])('parseYuan refuses %j', (text) => {
    expect(() => parseYuan(text)).toThrow(RangeError);
  });

  it('round-trips every amount up to 10,000 yuan by 1 fen steps of a prime stride', () => {
    for (let fen = 0; fen <= 1_000_000; fen += 997) expect(parseYuan(formatYuan(fen))).toBe(fen);
  });

  it.each([
    [1, true],
    [MAX_AMOUNT_FEN, true],
    [0, false],
    [-1, false],
    [0.5, false],
    [MAX_AMOUNT_FEN + 1, false],
    [Number.MAX_SAFE_INTEGER + 2, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
    ['100', false],
    [null, false],
  ])('amountFen accepts %j: %s', (value, ok) => expect(amountFen.safeParse(value).success).toBe(ok));
});
