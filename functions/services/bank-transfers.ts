/** The kiosk top-up (圈存): the holder taps the card, types the query password and the bank PIN, picks 1–500 yuan. */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { assertTopupAmount, topupPurse } from '../domain/topup';
import type { Terminal } from '../domain/merchant';
import { BankRefused, BankUnavailable, type BankRefusal } from '../payments/bank';
import { getAccount } from '../store/accounts';
import { findCardByChipUid } from '../store/cards';
import { creditTransitional, topUp } from './movements';
import { verifyHolderPassword } from './passwords';

const REFUSALS: Record<BankRefusal, 'BANK_PIN_WRONG' | 'BANK_INSUFFICIENT_FUNDS' | 'BANK_CARD_REFUSED'> = {
  PIN_WRONG: 'BANK_PIN_WRONG',
  INSUFFICIENT_FUNDS: 'BANK_INSUFFICIENT_FUNDS',
  CARD_UNKNOWN: 'BANK_CARD_REFUSED',
  CARD_BLOCKED: 'BANK_CARD_REFUSED',
};

export async function transferFromBank(
  deps: Pick<Deps, 'db' | 'clock' | 'movements' | 'bank'>,
  terminal: Terminal,
  request: { transferId: string; chipUid: string; amountFen: number; queryPassword: string; bankPin: string },
) {
  assertTopupAmount(request.amountFen, 'bank');
  const card = await findCardByChipUid(deps.db, request.chipUid);
  if (!card || card.status !== 'active') throw new AppError('CARD_NOT_FOUND', request.chipUid);
  const account = await getAccount(deps.db, card.accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', card.accountNo);
  if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', account.accountNo);
  if (!account.boundBankCardNo) throw new AppError('BANK_CARD_NOT_BOUND', account.accountNo);
  await verifyHolderPassword(deps, account.accountNo, 'query', request.queryPassword);
  const bank = await deps.bank();
  if (!bank) throw new AppError('BANK_UNAVAILABLE', 'no bank configured');
  let bankTxnId: string;
  try {
    ({ bankTxnId } = await bank.transfer({
      // Scoped by kiosk: the bank sees one id per transfer, and a retry after a lost answer is the same transfer.
      transferId: `${terminal.terminalId}-${request.transferId}`,
      bankCardNo: account.boundBankCardNo,
      pin: request.bankPin,
      amountFen: request.amountFen,
    }));
  } catch (error) {
    if (error instanceof BankRefused) throw new AppError(REFUSALS[error.refusal], error.message);
    if (error instanceof BankUnavailable) throw new AppError('BANK_UNAVAILABLE', error.message);
    throw error;
  }
  const credit = { accountNo: account.accountNo, amountFen: request.amountFen, channel: 'bank' as const, externalRef: bankTxnId };
  const purse = topupPurse(account);
  const { entry, replayed } = purse === 'transitional' ? await creditTransitional(deps, credit) : await topUp(deps, credit);
  return { receiptNo: entry.receiptNo, amountFen: entry.amountFen, purse, balanceFen: entry.after.balanceFen, transitionalFen: entry.after.transitionalFen, replayed };
}
