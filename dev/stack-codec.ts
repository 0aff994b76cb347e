import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tokenizedEndpoint } from '../client/codec-server';
import { startProcess, type StartedProcess } from './processes';
import { ROOT, ensureDir } from './services';
import { STACK_DIR, stackEnv, stackPorts } from './stack-config';

// The local stack's codec server: it answers only calls that carry the stack's token, which the dev
// server's Web UI gets inside its codec endpoint (`--ui-codec-endpoint http://127.0.0.1:8888/t/<token>`).

/**
 * The stack's codec token (`.stack/codec-token` unless told otherwise): made once, readable only by its
 * owner, like the encryption key; URL-safe because it travels in the endpoint's path.
 */
export function ensureStackCodecToken(file = join(STACK_DIR, 'codec-token')): {
  file: string;
  token: string;
} {
  ensureDir(dirname(file));
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  return { file, token: readFileSync(file, 'utf8').trim() };
}

/** The endpoint the stack's Web UI calls: the codec server's address with the token as its path. */
export function stackCodecEndpoint(port: number, token = ensureStackCodecToken().token): string {
  return tokenizedEndpoint(`http://127.0.0.1:${port}`, token);
}

export function startCodecServerProcess(
  port: number,
  logFile: string,
  tokenFile = ensureStackCodecToken().file,
): StartedProcess {
  const ui = stackPorts().temporalUi;
  const uiOrigin = `http://127.0.0.1:${ui},http://localhost:${ui}`;
  return startProcess(
    'codec-server',
    process.execPath,
    [join(ROOT, 'bin', 'compound.js'), 'codec-server', '--port', String(port), '--ui-origin', uiOrigin],
    logFile,
    // The token comes from the file the UI's endpoint was made from, never from an inherited variable
    // that the endpoint would not match.
    { ...stackEnv(), COMPOUND_CODEC_AUTH_TOKEN: '', COMPOUND_CODEC_AUTH_TOKEN_FILE: tokenFile },
  );
}
