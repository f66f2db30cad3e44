/** `npm run audit` finds nothing on a clean ledger and names every difference when someone edits a balance behind its back. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { auditLedger } from '../../functions/services/audit';
import { keys } from '../../functions/store/keys';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { createTestAccount, createTestTerminal, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';
import { chargeAtTerminal } from '../../functions/services/charge';

const platform = useTestPlatform();
const run = promisify(execFile);

async function npmRunAudit(): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run('npm', ['run', 'audit', '--silent'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TABLE_NAME: platform.tableName },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('the ledger audit', () => {
  it('is clean after real movements, and `npm run audit` exits 0', async () => {
    const terminal = await createTestTerminal(platform.deps);
    for (let i = 0; i < 5; i++) {
      const account = await createTestAccount(platform.deps, { balanceFen: 1_000 * (i + 1) });
      await chargeAtTerminal(platform.deps, terminal, { posTxnId: `a${i}`, chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 500 });
    }
    const report = await auditLedger(platform.deps.db);
    expect(report).toMatchObject({ accountsChecked: 5, entriesChecked: 10, findings: [] });
    const cli = await npmRunAudit();
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('5 accounts, 10 ledger entries, 0 differences');
  }, 60_000);

  it('reports a balance changed without a ledger entry, and `npm run audit` exits 1', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 2_000 });
    await platform.deps.db.doc.send(
      new UpdateCommand({
        TableName: platform.tableName,
        Key: keys.account(account.accountNo),
        UpdateExpression: 'SET balanceFen = :tampered',
        ExpressionAttributeValues: { ':tampered': 2_100 },
      }),
    );
    const report = await auditLedger(platform.deps.db);
    expect(report.findings).toEqual([{ accountNo: account.accountNo, problem: 'balanceFen is 2100, its ledger sums to 2000 (difference 100)' }]);
    const cli = await npmRunAudit();
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`DIFFERENCE account ${account.accountNo}: balanceFen is 2100`);
  }, 60_000);
});
