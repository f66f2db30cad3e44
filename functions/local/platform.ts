/**
 * Boots the platform on this machine against a running DynamoDB Local: the environment Lambda would
 * have (from serverless.yml), the tables, optionally the demo campus, and the HTTP API.
 * `npm start` and the integration tests both use it, so what is tested is what runs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readConfig } from '../config';
import { createDeps, setDeps, type Deps } from '../deps';
import { createLocalApi, loadRoutes, type DevRoute, type LoadedRoute, type StaticSite } from './http-server';
import { loadServerlessConfig, type ServerlessConfig } from './serverless-config';
import { ensureTables, type TableOptions } from './tables';

export interface PlatformOptions {
  dynamodbEndpoint: string;
  stage: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  staticSites?: StaticSite[];
  devRoutes?: DevRoute[];
  log?: (line: string) => void;
  tables?: TableOptions;
}

export interface RunningPlatform {
  url: string;
  serverless: ServerlessConfig;
  routes: LoadedRoute[];
  deps: Deps;
  close(): Promise<void>;
}

/** Sets the environment a deployed function would see, pointed at DynamoDB Local, and creates the tables. */
export async function prepareEnvironment(dynamodbEndpoint: string, stage: string, tables: TableOptions = {}): Promise<{ serverless: ServerlessConfig; deps: Deps }> {
  const serverless = loadServerlessConfig({ stage });
  for (const [name, value] of Object.entries(serverless.environment)) {
    // Secrets come inline locally (generated, and the fake platforms' configs), not from SSM.
    if (name === 'NODE_OPTIONS' || name.endsWith('_PARAMETER') || value === '') continue;
    process.env[name] = String(value);
  }
  process.env.DYNAMODB_ENDPOINT = dynamodbEndpoint;
  process.env.AWS_REGION ??= 'ap-east-1';
  const client = new DynamoDBClient({
    endpoint: dynamodbEndpoint,
    region: process.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await ensureTables(client, serverless.tables, tables);
  } finally {
    client.destroy();
  }
  const deps = createDeps(readConfig());
  setDeps(deps);
  return { serverless, deps };
}

export async function startLocalPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const { serverless, deps } = await prepareEnvironment(options.dynamodbEndpoint, options.stage, options.tables);
  const routes = await loadRoutes(serverless.routes);
  const server: Server = createLocalApi(routes, {
    ...(options.staticSites ? { staticSites: options.staticSites } : {}),
    ...(options.devRoutes ? { devRoutes: options.devRoutes } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // Payment platforms (the local fakes) call back to where this API really listens.
  if (!process.env.PUBLIC_BASE_URL) deps.config.publicBaseUrl = `http://${host}:${port}`;
  return {
    url: `http://${host}:${port}`,
    serverless,
    routes,
    deps,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
