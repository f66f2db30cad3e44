/** Runtime configuration, from the environment, with the local defaults `npm start` uses. */
export interface Config {
  tableName: string;
  region: string;
  /** Set locally and in tests (DynamoDB Local); unset on Lambda. */
  dynamodbEndpoint: string | undefined;
  logLevel: LogLevel;
  /** Where the payment platforms reach our notification routes (the API's public URL). */
  publicBaseUrl: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    tableName: env.TABLE_NAME ?? 'campus-ecard-local',
    region: env.AWS_REGION ?? 'ap-east-1',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    logLevel: parseLogLevel(env.LOG_LEVEL),
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, ''),
  };
}

function parseLogLevel(value: string | undefined): LogLevel {
  const levels: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
  return levels.find((level) => level === value) ?? 'info';
}
