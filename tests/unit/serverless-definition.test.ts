/** serverless.yml is the single source of truth: it must parse, and every route must lead to a real handler and contract. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setDeps, type Deps } from '../../functions/deps';
import { scheduledRun } from '../../functions/http/scheduled';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AreaHandler, AreaRoutes } from '../../functions/http/area';
import { loadRoutes, type LoadedRoute } from '../../functions/local/http-server';
import { createLogger } from '../../functions/logger';
import { AUDIT_LOG } from '../../functions/services/audit';
import { loadServerlessConfig, PROJECT_ROOT } from '../../functions/local/serverless-config';
import { ROUTES } from '../../shared/api/routes';

const config = loadServerlessConfig({ stage: 'dev', env: {} });

const routeKeyOf = (route: { method: string; path: string }) => (route.path === '*' ? '$default' : `${route.method} ${route.path}`);

/** The module that serves a route: the handler itself, or for an area function the route's entry in its table. */
async function routeModule(route: LoadedRoute): Promise<{ contract?: { method: string; path: string } }> {
  const table = (route.invoke as Partial<AreaHandler>).routes;
  const handler = table ? (await table[routeKeyOf(route)]!()).handler : route.invoke;
  return handler as unknown as { contract?: { method: string; path: string } };
}

const notFoundProbe = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/v1/admin/dashboard',
  rawQueryString: '',
  headers: {},
  isBase64Encoded: false,
  requestContext: { http: { method: 'GET', path: '/v1/admin/dashboard', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' }, requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0, accountId: 'local', apiId: 'local', domainName: 'localhost', domainPrefix: 'localhost' },
} as APIGatewayProxyEventV2;

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
      const contract = (await routeModule(route)).contract;
      expect(contract, route.handler).toBeDefined();
      expect(`${contract!.method} ${contract!.path}`).toBe(`${route.method} ${route.path}`);
    }
    expect(loaded.some((route) => route.path === '*'), 'a $default route answers unknown paths').toBe(true);
  });

  it('serves each area function\'s routes exactly: its events in serverless.yml are its table\'s routes, and each leads to a handler module', async () => {
    const loaded = await loadRoutes(config.routes);
    const areas = new Map<string, { table: AreaRoutes; keys: string[] }>();
    for (const route of loaded) {
      const table = (route.invoke as Partial<AreaHandler>).routes;
      if (!table) continue;
      const entry = areas.get(route.functionName) ?? { table, keys: [] };
      entry.keys.push(routeKeyOf(route));
      areas.set(route.functionName, entry);
    }
    expect([...areas.keys()].sort()).toEqual(['adminApi', 'holderApi', 'paymentNotificationsApi', 'posApi', 'serviceApi']);
    for (const [name, { table, keys }] of areas) {
      expect(keys.sort(), name).toEqual(Object.keys(table).sort());
      for (const key of keys) expect(typeof (await table[key]!()).handler, `${name} ${key}`).toBe('function');
    }
  });

  it('answers a route key its area does not serve with the API\'s JSON 404', async () => {
    const { handler } = await import('../../functions/areas/pos');
    const result = await handler({ ...notFoundProbe, routeKey: 'GET /v1/admin/dashboard' }, {} as never);
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? '{}').code).toBe('ROUTE_NOT_FOUND');
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

  describe('operations', () => {
    const functions = config.raw.functions as Record<string, any>;
    const resources = (config.raw.resources as any).Resources as Record<string, any>;
    const provider = config.raw.provider as Record<string, any>;
    const scheduled = Object.entries(functions).filter(([, fn]) => (fn.events ?? []).some((event: any) => event.schedule !== undefined));
    const http = Object.entries(functions).filter(([, fn]) => (fn.events ?? []).some((event: any) => event.httpApi !== undefined));
    const alarms = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');
    const alarmOn = (metricName: string) => alarms.find(([, alarm]) => alarm.Properties.MetricName === metricName)?.[1].Properties;
    /** The log group osls creates for a function (its logical id), which a metric filter must name. */
    const logGroupOf = (name: string) => `${name[0]!.toUpperCase()}${name.slice(1)}LogGroup`;
    /** Whether a JSON log line matches a metric filter of the form `{ $.a = "x" && $.b = "y" }` (the only form used here). */
    const matches = (pattern: string, line: string) => {
      const fields = JSON.parse(line) as Record<string, unknown>;
      const terms = [...pattern.matchAll(/\$\.(\w+) = "([^"]*)"/g)];
      return terms.length > 0 && terms.every(([, field, value]) => fields[field!] === value);
    };

    it('sends every scheduled run that still fails after its retries to the async-failures queue, the audit\'s own role included', () => {
      expect(scheduled.length).toBeGreaterThan(5);
      for (const [name, fn] of scheduled) {
        expect(fn.destinations?.onFailure, name).toEqual({ type: 'sqs', arn: { 'Fn::GetAtt': ['AsyncFailureQueue', 'Arn'] } });
      }
      expect(resources.AsyncFailureQueue.Type).toBe('AWS::SQS::Queue');
      expect(resources.AsyncFailureQueue.Properties.MessageRetentionPeriod).toBe(1_209_600);
      // osls grants sqs:SendMessage to its shared role only; a function with its own role needs it there.
      for (const [name, fn] of scheduled.filter(([, f]) => f.role)) {
        const statements = resources[fn.role].Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
        expect(statements.some((st: any) => st.Action.includes('sqs:SendMessage') && JSON.stringify(st.Resource).includes('AsyncFailureQueue')), name).toBe(true);
      }
    });

    it('sends every alarm to the one SNS topic, and has one for 5xx, Lambda errors and throttles, audit findings, reconciler failures and the queue', () => {
      expect(Object.values(resources).filter((resource) => resource.Type === 'AWS::SNS::Topic')).toHaveLength(1);
      expect(alarms.length).toBeGreaterThanOrEqual(8);
      for (const [name, alarm] of alarms) {
        expect(alarm.Properties.AlarmActions, name).toEqual([{ Ref: 'AlarmTopic' }]);
        expect(alarm.Properties.AlarmDescription, name).toBeTruthy();
      }
      expect(alarmOn('5xx')).toMatchObject({ Namespace: 'AWS/ApiGateway', Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }] });
      expect(alarmOn('Errors')).toMatchObject({ Namespace: 'AWS/Lambda' });
      expect(alarmOn('Throttles')).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1 });
      expect(alarmOn('ApproximateNumberOfMessagesVisible')).toMatchObject({ Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['AsyncFailureQueue', 'QueueName'] } }] });
      for (const metric of ['AuditFindings', 'AuditIncomplete', 'ReconcilerFailures']) expect(alarmOn(metric), metric).toMatchObject({ Namespace: 'CampusEcard/dev', Threshold: 1 });
      // A day without an audit run is an alarm too: missing data breaches.
      expect(alarmOn('Invocations')).toMatchObject({ Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'AuditLedgerLambdaFunction' } }], ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    });

    it('counts the audit\'s findings and incomplete runs from the lines it logs', () => {
      const filters = Object.values(resources).filter((resource) => resource.Type === 'AWS::Logs::MetricFilter').map((resource) => resource.Properties);
      const filterOf = (metric: string) => filters.find((f) => f.MetricTransformations[0].MetricName === metric);
      const lines: string[] = [];
      const logger = createLogger('info', {}, (line) => lines.push(line) > 0);
      logger.error(AUDIT_LOG.finding, { accountNo: '100001', check: 'balance', problem: 'x' });
      logger.error(AUDIT_LOG.incomplete, { findingCount: 0 });
      logger.info('ledger audit', { findingCount: 0 });
      for (const [metric, line] of [['AuditFindings', lines[0]!], ['AuditIncomplete', lines[1]!]] as const) {
        const filter = filterOf(metric);
        expect(filter.LogGroupName).toEqual({ Ref: logGroupOf('auditLedger') });
        expect(filter.MetricTransformations[0].MetricNamespace).toBe('CampusEcard/dev');
        expect(matches(filter.FilterPattern, line), metric).toBe(true);
        expect(matches(filter.FilterPattern, lines[2]!), `${metric} on a clean run`).toBe(false);
      }
    });

    it('counts a failure of every scheduled run (what scheduledRun logs as an error) as ReconcilerFailures', async () => {
      const filters = Object.values(resources).filter((resource) => resource.Type === 'AWS::Logs::MetricFilter' && resource.Properties.MetricTransformations[0].MetricName === 'ReconcilerFailures');
      for (const [name] of scheduled.filter(([n]) => n !== 'auditLedger')) {
        expect(filters.some((f) => JSON.stringify(f.Properties.LogGroupName) === JSON.stringify({ Ref: logGroupOf(name) })), name).toBe(true);
      }
      const lines: string[] = [];
      setDeps({ logger: createLogger('info', {}, (line) => lines.push(line) > 0) } as Deps);
      try {
        await scheduledRun('reconcile test', async () => ({ failures: ['order O1'] }), (report) => report.failures)();
        await scheduledRun('reconcile test', async () => ({ failures: [] as string[] }), (report) => report.failures)();
      } finally {
        setDeps(undefined);
      }
      const pattern = filters[0]!.Properties.FilterPattern;
      expect(matches(pattern, lines[0]!)).toBe(true);
      expect(matches(pattern, lines[1]!)).toBe(false);
    });

    it('reserves concurrency for the payment routes, leaving at least 100 of the default 1,000 to the rest', () => {
      const reserved = Object.fromEntries(Object.entries(functions).filter(([, fn]) => fn.reservedConcurrency !== undefined).map(([name, fn]) => [name, fn.reservedConcurrency]));
      expect(reserved).toMatchObject({ qrPayment: 200, posCharge: 120, uploadOfflineRecords: 30 });
      expect(Object.values(reserved).reduce((a: number, b) => a + (b as number), 0)).toBeLessThanOrEqual(900);
    });

    it('times every HTTP function out below API Gateway\'s 30 s, so a slow request ends in our answer and not the gateway\'s', () => {
      expect(http.length).toBeGreaterThan(10);
      for (const [name, fn] of http) expect(fn.timeout ?? provider.timeout, name).toBeLessThan(30);
    });
  });

  it('resolves variables per stage', () => {
    expect(loadServerlessConfig({ stage: 'local', env: {} }).environment.TABLE_NAME).toBe('campus-ecard-local');
    expect(loadServerlessConfig({ stage: 'prod', env: {} }).tables[0]!.properties.TableName).toBe('campus-ecard-prod');
  });
});
