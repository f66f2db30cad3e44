/** The restore rehearsal: a table exported to JSON Lines and imported into a new one audits exactly as the original; a damaged copy does not. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServerlessConfig, PROJECT_ROOT } from '../../functions/local/serverless-config';
import { ensureTables } from '../../functions/local/tables';
import { auditLedger } from '../../functions/services/audit';
import { chargeAtTerminal } from '../../functions/services/charge';
import { auditDisagreements } from '../../functions/services/restore-rehearsal';
import { exportTable, importTable } from '../../functions/store/table-copy';
import { createTestAccount, createTestTerminal, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'restore-'));
let client: DynamoDBClient | undefined;
const raw = () => (client ??= new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: process.env.AWS_REGION ?? 'ap-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
afterAll(() => client?.destroy());

async function someMoney(): Promise<void> {
  const terminal = await createTestTerminal(platform.deps);
  for (let i = 0; i < 6; i++) {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 + i });
    await chargeAtTerminal(platform.deps, terminal, { posTxnId: `r${i}`, chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 700 + i });
  }
}

async function copyTable(name: string): Promise<void> {
  const schema = loadServerlessConfig({ stage: 'local', env: {} }).tables[0]!;
  await ensureTables(raw(), [{ logicalId: schema.logicalId, properties: { ...schema.properties, TableName: name } }]);
}

describe('the restore rehearsal', () => {
  it('npm run rehearse:restore exports, imports into a new table, and finds both audits agree (the copy then deleted)', async () => {
    await someMoney();
    const { stdout } = await run('npm', ['run', 'rehearse:restore', '--silent', '--', '--file', join(dir, 'export.jsonl')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TABLE_NAME: platform.tableName },
    });
    expect(stdout).toMatch(/exported (\d+) items/);
    const exported = /exported (\d+) items/.exec(stdout)![1];
    expect(stdout).toContain(`imported ${exported} items`);
    expect(stdout).toMatch(/audit of the original .*: 6 accounts, 12 ledger entries, 0 findings/);
    expect(stdout).toMatch(/audit of the copy .*: 6 accounts, 12 ledger entries, 0 findings/);
    expect(stdout).toContain('the audits agree');
    expect(readFileSync(join(dir, 'export.jsonl'), 'utf8').trim().split('\n')).toHaveLength(Number(exported));
    const { TableNames = [] } = await raw().send(new ListTablesCommand({}));
    expect(TableNames.filter((name) => name.startsWith(`${platform.tableName}-restore-`))).toEqual([]);
  });

  it('refuses to run against AWS (no local endpoint): exit 2, nothing created', async () => {
    const failed = await run('npm', ['run', 'rehearse:restore', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName, DYNAMODB_ENDPOINT: '' } }).catch((error: { code: number; stderr: string }) => error);
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toContain('restore-table-to-point-in-time');
  });

  it('a copy that lost a fen somewhere does not agree: its audit finds the account, and the comparison says so', async () => {
    const file = join(dir, 'damaged.jsonl');
    const at = new Date();
    await exportTable({ client: raw(), tableName: platform.tableName }, file);
    // One account item's balance changed in the file (the ledger left as it was): what a bad restore would bring back.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const index = lines.findIndex((line) => line.includes('"sk":{"S":"ACCOUNT"}') && line.includes('"balanceFen"'));
    expect(index).toBeGreaterThanOrEqual(0);
    lines[index] = lines[index]!.replace(/"balanceFen":\{"N":"(\d+)"\}/, (_m, n: string) => `"balanceFen":{"N":"${Number(n) + 1}"}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const copy = `${platform.tableName}-damaged`;
    await copyTable(copy);
    try {
      expect(await importTable({ client: raw(), tableName: copy }, file)).toBe(lines.length);
      const original = await auditLedger(platform.deps.db, { clock: () => at });
      const restored = await auditLedger({ doc: platform.deps.db.doc, tableName: copy }, { clock: () => at });
      expect(original.findings).toEqual([]);
      expect(restored.findings.length).toBeGreaterThan(0);
      const differences = auditDisagreements(original, restored);
      expect(differences.some((d) => d.startsWith('findings:'))).toBe(true);
      // The untouched copy of the same file agrees.
      expect(auditDisagreements(original, original)).toEqual([]);
    } finally {
      await raw().send(new DeleteTableCommand({ TableName: copy }));
    }
  });
});
