/**
 * The service's secret keys: from the environment locally, from SSM SecureStrings on AWS (read once
 * per container). Two keys with two jobs, so one can rotate without the other:
 *   - the session key signs session and binding tokens (rotating it signs everyone out);
 *   - the identity key keys the digests of ID and mobile numbers (rotating it means re-keying them).
 */
import type { Config } from '../config';

const cache = new Map<string, Promise<string>>();

function secret(config: Config, name: string): Promise<string> {
  const inline = process.env[name];
  if (inline) return Promise.resolve(inline);
  const parameter = process.env[`${name}_PARAMETER`];
  let pending = cache.get(name);
  if (!pending) {
    pending = fetchFromSsm(config, name, parameter).catch((error: unknown) => {
      cache.delete(name); // try again on the next request
      throw error;
    });
    cache.set(name, pending);
  }
  return pending;
}

async function fetchFromSsm(config: Config, name: string, parameter: string | undefined): Promise<string> {
  if (!parameter) throw new Error(`neither ${name} nor ${name}_PARAMETER is set`);
  // Loaded here, once per container: a function's cold start does not wait for SSM's client before it needs it.
  const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient({ region: config.region });
  const { Parameter } = await client.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
  if (!Parameter?.Value) throw new Error(`SSM parameter ${parameter} is empty`);
  return Parameter.Value;
}

export function sessionSecret(config: Config): Promise<string> {
  return secret(config, 'SESSION_SECRET');
}

export function identityKey(config: Config): Promise<string> {
  return secret(config, 'IDENTITY_KEY');
}
