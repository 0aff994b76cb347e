import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../common/config';

/**
 * Inside the project, with a local stack (`npm start` / `npm run stack`) that has made its codec key,
 * the CLI uses that key when none is configured — so commands against the local stack need no
 * COMPOUND_ENCRYPTION_KEY_FILE typed by hand. A configured key always wins.
 */
export function withLocalStackKey(env: Env): Env {
  if (env.COMPOUND_ENCRYPTION_KEYS || env.COMPOUND_ENCRYPTION_KEY_FILE) return env;
  const candidates = [
    env.COMPOUND_STACK_DIR,
    join(process.cwd(), '.stack'),
    join(__dirname, '..', '.stack'),
  ].filter((dir): dir is string => Boolean(dir));
  const file = candidates.map((dir) => join(dir, 'encryption-keys')).find((f) => existsSync(f));
  return file ? { ...env, COMPOUND_ENCRYPTION_KEY_FILE: file } : env;
}
