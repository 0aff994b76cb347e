import type { Client } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { Env } from '../common/config';
import { loadKeyring } from '../common/encryption';
import { redactSecrets } from '../common/mask';
import { connectClient, definedOnly } from '../common/temporal-connection';
import { UsageError } from './errors';
import { withLocalStackKey } from './local-stack-key';

// How CLI commands get a Temporal client: connectClient() with its failures turned into messages that
// say what to fix. A missing or malformed encryption key is the user's configuration to fix (exit 2);
// an unreachable server is a failure (exit 1) named by its address.

function temporalAddress(env: Env): string {
  try {
    const { connectionOptions } = loadClientConnectConfig({
      profile: env.TEMPORAL_PROFILE,
      overrideEnvVars: definedOnly(env),
    });
    return connectionOptions.address ?? 'localhost:7233';
  } catch {
    return env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  }
}

export async function connectForCli(configured: Env = process.env): Promise<Client> {
  const env = withLocalStackKey(configured);
  try {
    loadKeyring(env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  try {
    return await connectClient(env);
  } catch (err) {
    throw new Error(
      `cannot connect to Temporal at ${temporalAddress(env)}: ${redactSecrets((err as Error).message)}`,
      { cause: err },
    );
  }
}

/** Runs `fn` with a connected client and closes the connection afterwards, so the process can exit. */
export async function withClient<T>(fn: (client: Client) => Promise<T>, env: Env = process.env): Promise<T> {
  const client = await connectForCli(env);
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}
