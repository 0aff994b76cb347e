import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { Env } from './config';
import { compoundDataConverter } from './data-converter';

/**
 * A Temporal client configured the standard way (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TLS files, TEMPORAL_PROFILE and the config file, via @temporalio/envconfig) with Compound's codec.
 */
export async function connectClient(env: Env = process.env): Promise<Client> {
  // Load the encryption key first: without it we refuse to connect at all.
  const dataConverter = compoundDataConverter(env);
  const { connectionOptions, namespace } = loadClientConnectConfig({
    profile: env.TEMPORAL_PROFILE,
    overrideEnvVars: definedOnly(env),
  });
  const connection = await Connection.connect({ connectTimeout: 5000, ...connectionOptions });
  return new Client({ connection, namespace: namespace ?? 'default', dataConverter });
}

export function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
