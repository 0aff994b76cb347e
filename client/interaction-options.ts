import type { Command } from 'commander';
import { UsageError } from './errors';
import {
  readProcessStdin,
  readStripeKey,
  type KeyReadContext,
  type StripeKeySourceOptions,
} from './stripe-key';

// Option parsing shared by `interactions create` and `interactions update`: raw commander values in,
// typed library input out. Pure apart from reading the key, whose sources are injected.

export interface RawInteractionOptions extends StripeKeySourceOptions {
  name?: string;
  resource?: string;
  frequency?: string;
  mode?: string;
  account?: string;
  pageSize?: string;
  rateShare?: string;
  compression?: string;
  queueUrl?: string;
  stripeApiBase?: string;
  timezone?: string;
  taskQueue?: string;
  json?: boolean;
}

/** "--page-size 50" → 50; anything but a whole number is refused here, the range by the schema. */
export function parsePageSize(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(raw))
    throw new UsageError(`--page-size must be a whole number between 1 and 100 (got "${raw}")`);
  return Number(raw);
}

/**
 * "--rate-share 0.5" or "50%" → 0.5; the range (above 0, at most 1) is the schema's. Fractions only:
 * the limit itself (25 or 100 req/s) depends on the key's mode.
 */
export function parseRateShare(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(raw);
  if (!m)
    throw new UsageError(
      `--rate-share must be a share of Stripe's rate limit like 0.5 or 50% (got "${raw.slice(0, 40)}")`,
    );
  return m[2] === '%' ? Number(m[1]) / 100 : Number(m[1]);
}

/** `purpose` is appended to "the Stripe key", e.g. " (key rotation)". */
export function addStripeKeyOptions(command: Command, purpose = ''): Command {
  return command
    .option('--stripe-key-env <var>', `read the Stripe key${purpose} from this environment variable`)
    .option('--stripe-key-file <path>', `read the Stripe key${purpose} from this file`)
    .option(
      '--stripe-key <source>',
      `"-" reads the Stripe key${purpose} from stdin (a key given here is refused: it would end up in shell history and ps)`,
    );
}

export const defaultKeyReadContext = (): KeyReadContext => ({
  env: process.env,
  readStdin: () => readProcessStdin(),
});

export async function readKeyOption(
  raw: StripeKeySourceOptions,
  ctx: KeyReadContext,
): Promise<string | undefined> {
  return readStripeKey(
    { stripeKeyEnv: raw.stripeKeyEnv, stripeKeyFile: raw.stripeKeyFile, stripeKey: raw.stripeKey },
    ctx,
  );
}
