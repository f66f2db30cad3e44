/** The nightly ledger audit in serverless.yml: its schedule, its handler, and the one role that may Scan. */
import { describe, expect, it } from 'vitest';
import { loadServerlessConfig } from '../../functions/local/serverless-config';

const config = loadServerlessConfig({ stage: 'dev', env: {} });
const raw = config.raw as Record<string, any>;

describe('the nightly ledger audit', () => {
  it('runs at 03:00 Beijing with its own role and a handler that exists', async () => {
    const fn = raw.functions.auditLedger;
    expect(fn.handler).toBe('functions/handlers/audit-ledger.handler');
    expect(fn.events).toEqual([{ schedule: 'cron(0 19 * * ? *)' }]);
    expect(fn.role).toBe('AuditLedgerRole');
    expect(fn.timeout).toBe(900);
    const module = (await import('../../functions/handlers/audit-ledger')) as Record<string, unknown>;
    expect(typeof module.handler).toBe('function');
  });

  it('has Scan on the table only in its own role, with nothing on *', () => {
    const role = raw.resources.Resources.AuditLedgerRole;
    expect(role.Type).toBe('AWS::IAM::Role');
    const statements = role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement) as { Action: string[]; Resource: unknown[] }[];
    const dynamodb = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    expect(dynamodb).toHaveLength(1);
    expect(dynamodb[0]!.Action).toEqual(['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(JSON.stringify(dynamodb[0]!.Resource)).toBe(JSON.stringify([{ 'Fn::GetAtt': ['CampusTable', 'Arn'] }]));
    for (const statement of statements) expect(statement.Resource).not.toContain('*');
  });
});
