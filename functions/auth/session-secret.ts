/** The session-token key: from the environment locally, from an SSM SecureString on AWS (read once per container). */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Config } from '../config';

let cached: Promise<string> | undefined;

export function sessionSecret(config: Config): Promise<string> {
  if (config.sessionSecret) return Promise.resolve(config.sessionSecret);
  cached ??= fetchFromSsm(config).catch((error: unknown) => {
    cached = undefined; // try again on the next request
    throw error;
  });
  return cached;
}

async function fetchFromSsm(config: Config): Promise<string> {
  if (!config.sessionSecretParameter) throw new Error('neither SESSION_SECRET nor SESSION_SECRET_PARAMETER is set');
  const client = new SSMClient({ region: config.region });
  const { Parameter } = await client.send(new GetParameterCommand({ Name: config.sessionSecretParameter, WithDecryption: true }));
  if (!Parameter?.Value) throw new Error(`SSM parameter ${config.sessionSecretParameter} is empty`);
  return Parameter.Value;
}
