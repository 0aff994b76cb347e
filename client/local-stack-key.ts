import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../common/config';

/**
 * Inside the project, with a local stack (`npm start` / `npm run stack`) that has made its codec key
 * and sealing key pair, the CLI uses them when none is configured — so commands against the local stack need no
 * COMPOUND_ENCRYPTION_KEY_FILE typed by hand. A configured key always wins.
 */
export function withLocalStackKey(env: Env): Env {
  const out = { ...env };
  if (!env.COMPOUND_ENCRYPTION_KEYS && !env.COMPOUND_ENCRYPTION_KEY_FILE) {
    const file = stackFile(env, 'encryption-keys');
    if (file) out.COMPOUND_ENCRYPTION_KEY_FILE = file;
  }
  // The public half only: the CLI seals Stripe keys; opening them is the workers' business.
  if (!env.COMPOUND_SEALING_PUBLIC_KEY && !env.COMPOUND_SEALING_PUBLIC_KEY_FILE) {
    const file = stackFile(env, 'sealing-public.pem');
    if (file) out.COMPOUND_SEALING_PUBLIC_KEY_FILE = file;
  }
  return out;
}

function stackFile(env: Env, name: string): string | undefined {
  const dirs = [env.COMPOUND_STACK_DIR, join(process.cwd(), '.stack'), join(__dirname, '..', '.stack')];
  return dirs
    .filter((dir): dir is string => Boolean(dir))
    .map((dir) => join(dir, name))
    .find((f) => existsSync(f));
}
