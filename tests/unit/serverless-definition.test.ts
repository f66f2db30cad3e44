/** serverless.yml is the single source of truth: it must parse, and every route must lead to a real handler and contract. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoutes } from '../../functions/local/http-server';
import { loadServerlessConfig, PROJECT_ROOT } from '../../functions/local/serverless-config';
import { ROUTES } from '../../shared/api/routes';

const config = loadServerlessConfig({ stage: 'dev', env: {} });

describe('serverless.yml', () => {
  it('is an AWS Node.js service with HTTP API routes', () => {
    const provider = config.raw.provider as Record<string, any>;
    expect(provider.name).toBe('aws');
    expect(provider.runtime).toBe('nodejs20.x');
    expect(config.routes.length).toBeGreaterThan(0);
  });

  it('names a handler file that exists and exports the named function, for every route', async () => {
    for (const route of config.routes) {
      const file = join(PROJECT_ROOT, `${route.handler.slice(0, route.handler.lastIndexOf('.'))}.ts`);
      expect(existsSync(file), `${route.functionName}: ${file}`).toBe(true);
    }
    const loaded = await loadRoutes(config.routes);
    for (const route of loaded) expect(typeof route.invoke, route.handler).toBe('function');
  });

  it('routes exactly the API contract: each route is built from the contract with its method and path', async () => {
    const loaded = await loadRoutes(config.routes);
    const apiRoutes = loaded.filter((route) => route.path !== '*');
    expect(apiRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(ROUTES.map((c) => `${c.method} ${c.path}`).sort());
    for (const route of apiRoutes) {
      const contract = (route.invoke as unknown as { contract?: { method: string; path: string } }).contract;
      expect(contract, route.handler).toBeDefined();
      expect(`${contract!.method} ${contract!.path}`).toBe(`${route.method} ${route.path}`);
    }
    expect(loaded.some((route) => route.path === '*'), 'a $default route answers unknown paths').toBe(true);
  });

  it('declares the table: on-demand, TTL, point-in-time recovery, the GSIs the store queries, retained on delete', () => {
    expect(config.tables).toHaveLength(1);
    const table = config.tables[0]!;
    const p = table.properties as Record<string, any>;
    expect(p.TableName).toBe('campus-ecard-dev');
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(p.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(p.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2', 'gsi3']);
    const resources = (config.raw.resources as any).Resources;
    expect(resources[table.logicalId].DeletionPolicy).toBe('Retain');
  });

  it('serves the web apps from a private bucket behind CloudFront, with the API on the same origin', () => {
    const resources = (config.raw.resources as any).Resources;
    const block = resources.WebBucket.Properties.PublicAccessBlockConfiguration;
    expect(block).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    // Only this distribution may read the bucket (origin access control), nobody else.
    const statement = resources.WebBucketPolicy.Properties.PolicyDocument.Statement[0];
    expect(statement.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(JSON.stringify(statement.Condition)).toContain('WebDistribution');
    const distribution = resources.WebDistribution.Properties.DistributionConfig;
    expect(distribution.DefaultCacheBehavior.TargetOriginId).toBe('web');
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const api = distribution.CacheBehaviors.find((behavior: any) => behavior.PathPattern === '/v1/*');
    expect(api.TargetOriginId).toBe('api');
    // Payments are never cached, every method reaches the API, and the terminal's headers pass through.
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'PUT', 'GET']));
    expect(resources.WebIndexFunction.Properties.FunctionCode).toContain('pos');
    // Lambda bundles never carry the web apps.
    expect((config.raw.package as any).patterns).toContain('!web/**');
  });

  it('grants least privilege: DynamoDB item actions on this table and its indexes only, one SSM parameter, nothing on *', () => {
    const all = (config.raw.provider as any).iam.role.statements as { Effect: string; Action: string[]; Resource: unknown[] }[];
    const ssm = all.filter((statement) => statement.Action.some((action) => action.startsWith('ssm:')));
    expect(ssm).toHaveLength(1);
    expect(ssm[0]!.Action).toEqual(['ssm:GetParameter']);
    expect(JSON.stringify(ssm[0]!.Resource)).toContain(':parameter/campus-ecard/dev/*');
    const statements = all.filter((statement) => statement !== ssm[0]);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Action.every((action) => action.startsWith('dynamodb:') && !action.includes('*'))).toBe(true);
      expect(statement.Action).not.toContain('dynamodb:Scan');
      expect(statement.Action).not.toContain('dynamodb:DeleteTable');
      expect(statement.Resource).not.toContain('*');
      // Each resource is the table's ARN, or its ARN + "/index/*" (the table's own indexes).
      for (const resource of statement.Resource) expect(JSON.stringify(resource)).toContain('"CampusTable","Arn"');
    }
  });

  it('resolves variables per stage', () => {
    expect(loadServerlessConfig({ stage: 'local', env: {} }).environment.TABLE_NAME).toBe('campus-ecard-local');
    expect(loadServerlessConfig({ stage: 'prod', env: {} }).tables[0]!.properties.TableName).toBe('campus-ecard-prod');
  });
});
