import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadClientConfigProfile } from '@temporalio/envconfig';
import { loadConfig, type Env } from '../../common/config';
import { createEncryptionCodec, loadKeyring } from '../../common/encryption';
import { TOKEN_PATTERN, createCodecServer } from '../codec-server';
import { definedOnly } from '../../common/temporal-connection';
import { UsageError } from '../errors';

interface CodecServerFlags {
  port?: string;
  host: string;
  uiOrigin?: string;
  namespace?: string;
  insecureNoAuth?: boolean;
}

export interface CodecServerAuth {
  /** Undefined only with --insecure-no-auth. */
  authToken?: string;
  namespaces: string[];
}

/** The token from COMPOUND_CODEC_AUTH_TOKEN, else from the file COMPOUND_CODEC_AUTH_TOKEN_FILE. */
function readToken(env: Env): string | undefined {
  if (env.COMPOUND_CODEC_AUTH_TOKEN) return env.COMPOUND_CODEC_AUTH_TOKEN.trim();
  const file = env.COMPOUND_CODEC_AUTH_TOKEN_FILE;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (err) {
    throw new UsageError(`COMPOUND_CODEC_AUTH_TOKEN_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
}

/**
 * Who may call the server and for which namespaces. A decoder open to anyone who reaches it reads every
 * payload, so no token is a refusal unless --insecure-no-auth says otherwise.
 */
export function codecServerAuth(flags: CodecServerFlags, env: Env = process.env): CodecServerAuth {
  const token = readToken(env);
  if (token && flags.insecureNoAuth)
    throw new UsageError('a codec token is set and --insecure-no-auth given: choose one');
  if (!token && !flags.insecureNoAuth)
    throw new UsageError(
      'the codec server needs a token: set COMPOUND_CODEC_AUTH_TOKEN or COMPOUND_CODEC_AUTH_TOKEN_FILE ' +
        '(e.g. `openssl rand -hex 32`) and give the Web UI the endpoint http://<host>:<port>/t/<token>. ' +
        '--insecure-no-auth serves without one, letting anyone who reaches the server decrypt every payload.',
    );
  if (token && !TOKEN_PATTERN.test(token))
    throw new UsageError(
      'the codec token must be at least 16 characters of A-Z a-z 0-9 . _ ~ - (it goes in a URL path as is)',
    );
  // By default, the namespace Compound itself uses (TEMPORAL_NAMESPACE or the envconfig profile's).
  const namespaces = (
    flags.namespace ??
    env.COMPOUND_CODEC_NAMESPACES ??
    loadClientConfigProfile({ profile: env.TEMPORAL_PROFILE, overrideEnvVars: definedOnly(env) }).namespace ??
    'default'
  )
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (namespaces.length === 0) throw new UsageError('the codec server needs at least one namespace');
  return { authToken: token, namespaces };
}

export function registerCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description('Serve /encode and /decode for the Temporal Web UI, so it shows decrypted payloads')
    .option('--port <port>', 'port to listen on (env COMPOUND_CODEC_PORT, default 8888)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--ui-origin <urls>', 'comma-separated Web UI origins allowed by CORS (env COMPOUND_UI_ORIGIN)')
    .option(
      '--namespace <names>',
      'comma-separated namespaces served (env COMPOUND_CODEC_NAMESPACES; default: TEMPORAL_NAMESPACE or default)',
    )
    .option('--insecure-no-auth', 'serve without a token: anyone who reaches the server can decrypt payloads')
    .action((flags: CodecServerFlags) => {
      // Checked before the key is loaded: an open decoder is refused whatever else is configured.
      const auth = codecServerAuth(flags);
      const config = loadConfig();
      const codec = createEncryptionCodec(loadKeyring());
      const port = flags.port ? Number(flags.port) : config.codecPort;
      const allowedOrigins = flags.uiOrigin ? flags.uiOrigin.split(',') : config.uiOrigins;
      const server = createCodecServer({
        codec,
        allowedOrigins,
        namespaces: auth.namespaces,
        authToken: auth.authToken,
        insecureNoAuth: flags.insecureNoAuth,
      });
      server.listen(port, flags.host, () => {
        console.log(
          `codec server listening on http://${flags.host}:${port} (namespaces: ${auth.namespaces.join(', ')}; ` +
            `CORS: ${allowedOrigins.join(', ')}; ${auth.authToken ? 'token required' : 'NO AUTHENTICATION'})`,
        );
        if (!auth.authToken)
          console.error(
            'WARNING: --insecure-no-auth: anyone who can reach this port can decrypt every payload it serves. ' +
              'Use it only on a machine no one else can reach.',
          );
      });
      const stop = () => server.close(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
