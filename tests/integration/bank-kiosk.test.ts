/** The self-service kiosk (圈存): bank card → campus card, with the query password and the bank PIN. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { hashPassword } from '../../functions/domain/passwords';
import { startFakeBank, type FakeBank } from '../../functions/local/fake-bank';
import { getAccount } from '../../functions/store/accounts';
import { issueCard } from '../../functions/store/cards';
import { keys } from '../../functions/store/keys';
import { savePasswordRecord } from '../../functions/store/passwords';
import { createTestAccount, createTestTerminal, terminalFetch } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';
import { useFake } from '../helpers/fakes';

let bank: FakeBank;
useFake('BANK_CONFIG', startFakeBank, (started) => (bank = started));
const platform = useTestPlatform({ http: true });
let seq = 0;

async function kioskHolder(options: { kind?: 'cpu' | 'm1'; bound?: boolean } = {}) {
  const account = await createTestAccount(platform.deps);
  const chipUid = `0B0B${String(++seq).padStart(8, '0')}`;
  const bankCardNo = `62220000${String(seq).padStart(8, '0')}`;
  await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: options.kind ?? 'm1', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
  if (options.bound !== false) {
    await platform.deps.db.doc.send(
      new UpdateCommand({ TableName: platform.tableName, Key: keys.account(account.accountNo), UpdateExpression: 'SET boundBankCardNo = :c, version = version + :one', ExpressionAttributeValues: { ':c': bankCardNo, ':one': 1 } }),
    );
  }
  bank.openCard(bankCardNo, { pin: '888888', balanceFen: 100_000 });
  await savePasswordRecord(platform.deps.db, account.accountNo, 'query', await hashPassword('246810', { now: new Date(), params: { N: 1024, r: 8, p: 1, keyLength: 32 } }), undefined);
  return { account, chipUid, bankCardNo };
}

const transfer = async (body: object) => {
  const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
  return { kiosk, res: await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body) };
};

describe('kiosk bank transfers', () => {
  it('moves the money from the bank card to the balance, once per transfer id', async () => {
    const { account, chipUid, bankCardNo } = await kioskHolder();
    const body = { transferId: 'k-1', chipUid, amountFen: 20_000, queryPassword: '246810', bankPin: '888888' };
    const { kiosk, res } = await transfer(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ amountFen: 20_000, purse: 'balance', balanceFen: 20_000, replayed: false });
    const again = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body);
    expect(again.body).toMatchObject({ receiptNo: res.body.receiptNo, replayed: true });
    expect(bank.balanceOf(bankCardNo)).toBe(80_000);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(20_000);
  });

  it('a CPU card holder’s transfer waits in the transitional balance', async () => {
    const { account, chipUid } = await kioskHolder({ kind: 'cpu' });
    const { res } = await transfer({ transferId: 'k-2', chipUid, amountFen: 5_000, queryPassword: '246810', bankPin: '888888' });
    expect(res.body).toMatchObject({ purse: 'transitional', transitionalFen: 5_000 });
    expect((await getAccount(platform.deps.db, account.accountNo))?.transitionalFen).toBe(5_000);
  });

  it.each([
    ['a wrong query password', { queryPassword: '000000' }, 'PASSWORD_WRONG'],
    ['a wrong bank PIN', { bankPin: '123456' }, 'BANK_PIN_WRONG'],
    ['500.01 yuan', { amountFen: 50_001 }, 'TOPUP_AMOUNT_OUT_OF_RANGE'],
    ['0.99 yuan', { amountFen: 99 }, 'TOPUP_AMOUNT_OUT_OF_RANGE'],
  ])('refuses %s and moves nothing', async (_name, change, code) => {
    const { account, chipUid, bankCardNo } = await kioskHolder();
    const { res } = await transfer({ transferId: `k-${_name.length}`, chipUid, amountFen: 1_000, queryPassword: '246810', bankPin: '888888', ...change });
    expect(res.body.code).toBe(code);
    expect(bank.balanceOf(bankCardNo)).toBe(100_000);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
  });

  it('refuses a card with no bound bank card, and says the bank is out of money when it is', async () => {
    const unbound = await kioskHolder({ bound: false });
    expect((await transfer({ transferId: 'k-u', chipUid: unbound.chipUid, amountFen: 1_000, queryPassword: '246810', bankPin: '888888' })).res.body.code).toBe('BANK_CARD_NOT_BOUND');
    const poor = await kioskHolder();
    bank.openCard(poor.bankCardNo, { pin: '888888', balanceFen: 500 });
    expect((await transfer({ transferId: 'k-p', chipUid: poor.chipUid, amountFen: 1_000, queryPassword: '246810', bankPin: '888888' })).res.body.code).toBe('BANK_INSUFFICIENT_FUNDS');
    expect((await getAccount(platform.deps.db, poor.account.accountNo))?.balanceFen).toBe(0);
  });
});
