/**
 * `npm run seed` (scripts/seed-campus.ts) on real DynamoDB Local: the holders it writes are found by
 * the card centre's search, pay at a terminal, sign in with their default password, and pass
 * `npm run audit` clean; a rerun writes nothing and keeps what moved, one stopped mid-holder
 * completes it without a second opening entry; bad options write nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { defaultPassword, verifyPasswordHash } from '../../functions/domain/passwords';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { searchAccounts } from '../../functions/services/admin/account-search';
import { chargeAtTerminal } from '../../functions/services/charge';
import { getAccount } from '../../functions/store/accounts';
import { keys } from '../../functions/store/keys';
import { getPasswordRecord } from '../../functions/store/passwords';
import { campusHolder, CAMPUS_ACCOUNT_BASE } from '../../scripts/seed-campus';
import { createTestTerminal, ledgerOf } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();
const run = promisify(execFile);

async function npm(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', script, '--silent', '--', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TABLE_NAME: platform.tableName },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const seedArgs = () => ['--endpoint', process.env.DYNAMODB_ENDPOINT!, '--stage', platform.tableName.replace(/^campus-ecard-/, '')];
const itemCount = async () => (await platform.deps.db.doc.send(new ScanCommand({ TableName: platform.tableName, Select: 'COUNT' }))).Count ?? 0;

describe('npm run seed', () => {
  it('refuses bad options and writes nothing', async () => {
    const before = await itemCount();
    for (const bad of [['--holders', 'abc'], ['--holders', '0'], ['--holders', '-5'], ['--concurrency', '1.5']]) {
      const out = await npm('seed', [...seedArgs(), ...bad]);
      expect(out.code, bad.join(' ')).toBe(2);
      expect(out.stderr).toMatch(/usage: npm run seed -- --holders N/);
    }
    expect(await itemCount()).toBe(before);
  });

  it('seeds 300 holders found by search, who pay and sign in, with `npm run audit` clean; a rerun writes nothing, a stopped one completes', { timeout: 240_000 }, async () => {
    const first = await npm('seed', [...seedArgs(), '--holders', '300']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/seeded 300 holders \(0 already there\), \d+ items in [\d.]+ s: \d+ items\/s, \d+ holders\/s/);

    const today = campusDay(platform.deps.clock());
    const holders = [0, 1, 24, 85, 97, 299].map((n) => campusHolder(n, today));
    for (const holder of holders) {
      const account = (await getAccount(platform.deps.db, holder.accountNo))!;
      expect(account).toMatchObject({ personId: holder.personId, holderName: holder.holderName, cardType: holder.cardType, status: 'active', balanceFen: holder.openingBalanceFen, activeChipUid: holder.chipUid });
      // Found the ways the counter looks: account number, student id, chip UID, name, mobile's last 4.
      for (const query of [holder.accountNo, holder.personId, holder.chipUid, holder.holderName, holder.mobile.slice(-4)]) {
        const found = await searchAccounts(platform.deps, query);
        expect(found.accounts.map((a) => a.accountNo), query).toContain(holder.accountNo);
      }
      const password = (await getPasswordRecord(platform.deps.db, holder.accountNo, 'query'))!;
      expect(await verifyPasswordHash(password, defaultPassword(holder.idNumber, 'drop')!)).toBe(true);
    }
    expect(holders[2]!.openingBalanceFen).toBe(0);
    expect(await ledgerOf(platform.deps, holders[2]!.accountNo)).toHaveLength(0);
    expect(await ledgerOf(platform.deps, holders[0]!.accountNo)).toHaveLength(1);

    // A seeded card pays at a terminal through the real charge path.
    const terminal = await createTestTerminal(platform.deps);
    const payer = holders[0]!;
    await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'seeded-1', chipUid: payer.chipUid, amountFen: 500 });
    expect((await getAccount(platform.deps.db, payer.accountNo))!.balanceFen).toBe(payer.openingBalanceFen - 500);

    // Rerun: nothing written, the payment kept.
    const items = await itemCount();
    const again = await npm('seed', [...seedArgs(), '--holders', '300']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/seeded 0 holders \(300 already there\), 0 items/);
    expect(await itemCount()).toBe(items);
    expect((await getAccount(platform.deps.db, payer.accountNo))!.balanceFen).toBe(payer.openingBalanceFen - 500);
    expect(Number(payer.accountNo)).toBe(CAMPUS_ACCOUNT_BASE + 1);

    // A run stopped after a holder's other items but before its account item: the rerun writes the
    // account with the opening entry already recorded, never a second one.
    const stopped = holders[3]!;
    await platform.deps.db.doc.send(new DeleteCommand({ TableName: platform.tableName, Key: keys.account(stopped.accountNo) }));
    const resumed = await npm('seed', [...seedArgs(), '--holders', '300']);
    expect(resumed.stdout).toMatch(/seeded 1 holders \(299 already there\)/);
    expect(await ledgerOf(platform.deps, stopped.accountNo)).toHaveLength(1);
    expect((await getAccount(platform.deps.db, stopped.accountNo))!.balanceFen).toBe(stopped.openingBalanceFen);

    const audit = await npm('audit', []);
    expect(audit.stdout).toMatch(/: 30\d accounts, \d+ ledger entries, 0 differences/);
    expect(audit.code).toBe(0);
  });
});
