/** The kiosk bank transfer's pure rules: what the reconciler does with what the bank says, which credit refusals send the money back. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { BANK_TRANSFER_POLICY, creditRefused, isOpen, reconcileStep } from '../../functions/domain/bank-transfer';
import { BankUnavailable, parseBankTransferState, type BankTransferState } from '../../functions/payments/bank';

const made = new Date('2026-09-01T08:00:00.000Z');
const intent = { createdAt: made.toISOString(), amountFen: 2_000 };
const after = (minutes: number) => new Date(made.getTime() + minutes * 60_000);

describe('reconcileStep', () => {
  it.each<[string, BankTransferState, number, ReturnType<typeof reconcileStep>]>([
    ['debited: credit it', { state: 'debited', bankTxnId: 'BK1', amountFen: 2_000 }, 2, { do: 'credit', bankTxnId: 'BK1' }],
    ['debited another amount: give it back, never credit a guess', { state: 'debited', bankTxnId: 'BK1', amountFen: 2_001 }, 2, { do: 'void', reason: 'amount_mismatch' }],
    ['reversed at the bank: record it', { state: 'reversed', bankTxnId: 'BK1', amountFen: 2_000, reversalId: 'RV1' }, 2, { do: 'record_reversed', reversalId: 'RV1' }],
    ['refused: nothing was debited', { state: 'refused', refusal: 'INSUFFICIENT_FUNDS' }, 2, { do: 'refuse', refusal: 'INSUFFICIENT_FUNDS' }],
    ['unknown, young: wait (the kiosk may still retry)', { state: 'unknown' }, BANK_TRANSFER_POLICY.abandonAfterMinutes - 1, { do: 'wait' }],
    ['unknown past the bank’s timeout: give it up', { state: 'unknown' }, BANK_TRANSFER_POLICY.abandonAfterMinutes, { do: 'void', reason: 'abandoned' }],
  ])('%s', (_name, bank, minutes, step) => {
    expect(reconcileStep(intent, bank, after(minutes))).toEqual(step);
  });
});

describe('creditRefused (the account cannot take the money: reverse)', () => {
  it.each<[string, unknown, boolean]>([
    ['a closed account', new AppError('CARD_CANCELLED'), true],
    ['an account that is gone', new AppError('ACCOUNT_NOT_FOUND'), true],
    ['an expired card, if policy refuses it', new AppError('CARD_EXPIRED'), true],
    ['busy (transient)', new AppError('BUSY_RETRY'), false],
    ['an idempotency conflict (an operator looks)', new AppError('IDEMPOTENCY_CONFLICT'), false],
    ['the transfer already voided', new AppError('BANK_TRANSFER_REVERSED'), false],
    ['a DynamoDB error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false],
  ])('%s → %s', (_name, error, expected) => {
    expect(creditRefused(error)).toBe(expected);
  });

  it('open statuses are exactly the ones the reconciler must still settle', () => {
    expect(['pending', 'reversing', 'credited', 'refused', 'reversed', 'expired'].filter((s) => isOpen(s as never))).toEqual(['pending', 'reversing']);
  });
});

describe('parseBankTransferState (what a bank answers about an id)', () => {
  it.each<[string, unknown, BankTransferState]>([
    ['debited', { state: 'debited', bankTxnId: 'BK1', amountFen: 100 }, { state: 'debited', bankTxnId: 'BK1', amountFen: 100 }],
    ['reversed', { state: 'reversed', bankTxnId: 'BK1', amountFen: 100, reversalId: 'RV1' }, { state: 'reversed', bankTxnId: 'BK1', amountFen: 100, reversalId: 'RV1' }],
    ['refused', { state: 'refused', refusal: 'CANCELLED' }, { state: 'refused', refusal: 'CANCELLED' }],
    ['unknown', { state: 'unknown' }, { state: 'unknown' }],
  ])('%s', (_name, answer, state) => {
    expect(parseBankTransferState(answer)).toEqual(state);
  });

  it.each([
    ['no state', {}],
    ['a debit without an amount', { state: 'debited', bankTxnId: 'BK1' }],
    ['a fractional amount', { state: 'debited', bankTxnId: 'BK1', amountFen: 1.5 }],
    ['a refusal we do not know', { state: 'refused', refusal: 'MAYBE' }],
    ['null', null],
  ])('refuses %s as BankUnavailable (we know no more than before)', (_name, answer) => {
    expect(() => parseBankTransferState(answer)).toThrow(BankUnavailable);
  });
});
