/**
 * Reads serverless.yml, the single source of truth for routes and tables, for the local runner and
 * the tests. Resolves the variable forms the file uses (${self:…}, ${sls:stage}, ${opt:…, 'x'},
 * ${env:…, 'x'}); CloudFormation intrinsics (Fn::GetAtt …) are left as they are.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface HttpRoute {
  functionName: string;
  /** e.g. "functions/handlers/health.handler" */
  handler: string;
  /** Upper-case method, or "ANY". */
  method: string;
  /** API Gateway path template ("/v1/accounts/{accountNo}"), or "*" for the $default route. */
  path: string;
}

export interface TableResource {
  logicalId: string;
  properties: Record<string, unknown> & { TableName: string };
}

export interface ServerlessConfig {
  service: string;
  stage: string;
  routes: HttpRoute[];
  tables: TableResource[];
  environment: Record<string, string>;
  raw: Record<string, unknown>;
}

export function loadServerlessConfig(options: { stage: string; file?: string; env?: NodeJS.ProcessEnv }): ServerlessConfig {
  const file = options.file ?? join(PROJECT_ROOT, 'serverless.yml');
  const raw = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const resolved = resolveVariables(raw, { stage: options.stage, env: options.env ?? process.env }) as Record<string, any>;
  return {
    service: resolved.service,
    stage: options.stage,
    routes: httpRoutes(resolved.functions ?? {}),
    tables: tableResources(resolved.resources?.Resources ?? {}),
    environment: resolved.provider?.environment ?? {},
    raw: resolved,
  };
}

function httpRoutes(functions: Record<string, { handler: string; events?: unknown[] }>): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const [functionName, fn] of Object.entries(functions)) {
    for (const event of fn.events ?? []) {
      const httpApi = (event as { httpApi?: unknown }).httpApi;
      if (httpApi === undefined) continue;
      if (typeof httpApi === 'string') {
        if (httpApi === '*') routes.push({ functionName, handler: fn.handler, method: 'ANY', path: '*' });
        else {
          const [method = '', path = ''] = httpApi.split(' ');
          routes.push({ functionName, handler: fn.handler, method: method.toUpperCase() === '*' ? 'ANY' : method.toUpperCase(), path });
        }
      } else {
        const { method, path } = httpApi as { method: string; path: string };
        routes.push({ functionName, handler: fn.handler, method: method === '*' ? 'ANY' : method.toUpperCase(), path });
      }
    }
  }
  return routes;
}

function tableResources(resources: Record<string, { Type: string; Properties: TableResource['properties'] }>): TableResource[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, resource]) => ({ logicalId, properties: resource.Properties }));
}

const VARIABLE = /\$\{([^{}]+)\}/g;

function resolveVariables(root: Record<string, unknown>, context: { stage: string; env: NodeJS.ProcessEnv }): unknown {
  const lookup = (expression: string): string => {
    const [reference = '', ...fallbackParts] = expression.split(',');
    const fallback = fallbackParts.join(',').trim().replace(/^['"]|['"]$/g, '');
    const [source, path = ''] = reference.trim().split(/:(.*)/s);
    let value: unknown;
    if (source === 'self') value = path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], root);
    else if (source === 'sls' && path === 'stage') value = context.stage;
    else if (source === 'opt' && path === 'stage') value = context.stage;
    else if (source === 'env') value = context.env[path];
    if (value === undefined || value === '') {
      if (fallbackParts.length > 0) return fallback;
      throw new Error(`serverless.yml: cannot resolve \${${expression}}`);
    }
    return String(value);
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      let current = node;
      for (let depth = 0; depth < 10 && VARIABLE.test(current); depth++) {
        VARIABLE.lastIndex = 0;
        current = current.replace(VARIABLE, (_match, expression: string) => lookup(expression));
      }
      VARIABLE.lastIndex = 0;
      return current;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value)]));
    return node;
  };
  return walk(root);
}
