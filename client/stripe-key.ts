import { readFileSync } from 'node:fs';
import { findAccountId } from '../stripe/account';
import { createStripeClient, listEventsPage, listPage } from '../stripe/client';
import { classifyStripeError, eventsPermissionHint, permissionHint } from '../stripe/errors';
import { isRestrictedKey, keyMode, type SyncMode } from '../common/interaction';
import type { Env } from '../common/config';
import { maskKey } from '../common/mask';
import { RESOURCES, type ResourceName } from '../stripe/resources';
import { STRIPE_EPOCH } from '../common/slices';
import { UsageError } from './errors';

// Where the CLI reads a Stripe key from, and the check every key passes before an interaction uses it.
// A key is never accepted as a plain argument value: it would land in shell history and in `ps` output.

export interface StripeKeySourceOptions {
  /** Name of an environment variable holding the key. */
  stripeKeyEnv?: string;
  /** Path of a file holding the key (surrounding whitespace is ignored). */
  stripeKeyFile?: string;
  /** Only "-" (read the key from stdin) is accepted. */
  stripeKey?: string;
}

export const KEY_SOURCE_HELP = '--stripe-key-env VAR, --stripe-key-file PATH or --stripe-key - (stdin)';

export const PLAIN_KEY_REFUSED =
  'refusing a Stripe key given on the command line (--stripe-key <key>): it would be saved in your shell history ' +
  'and visible to every user of this machine in `ps`. Pass it with --stripe-key-env VAR (an environment variable), ' +
  '--stripe-key-file PATH, or --stripe-key - to read it from stdin';

export interface KeyReadContext {
  env: Env;
  /** Reads all of stdin (injected so tests need no real stdin). */
  readStdin(): Promise<string>;
}

/** How many key sources were given; the caller decides whether zero is allowed (update) or not (create). */
export function keySourceCount(o: StripeKeySourceOptions): number {
  return [o.stripeKeyEnv, o.stripeKeyFile, o.stripeKey].filter((v) => v !== undefined).length;
}

/**
 * The key from exactly one of the sources, trimmed; undefined when no source was given.
 * Every failure is a UsageError whose message never contains the key.
 */
export async function readStripeKey(
  o: StripeKeySourceOptions,
  ctx: KeyReadContext,
): Promise<string | undefined> {
  // Refuse a plain key first, whatever else was given: the key is already exposed, say so.
  if (o.stripeKey !== undefined && o.stripeKey !== '-') throw new UsageError(PLAIN_KEY_REFUSED);
  const count = keySourceCount(o);
  if (count === 0) return undefined;
  if (count > 1) throw new UsageError(`give the Stripe key one way only: ${KEY_SOURCE_HELP}`);

  let key: string;
  if (o.stripeKeyEnv !== undefined) {
    const value = ctx.env[o.stripeKeyEnv];
    if (value === undefined || value.trim() === '') {
      throw new UsageError(
        `--stripe-key-env ${o.stripeKeyEnv}: the environment variable ${o.stripeKeyEnv} is not set or empty`,
      );
    }
    key = value;
  } else if (o.stripeKeyFile !== undefined) {
    try {
      key = readFileSync(o.stripeKeyFile, 'utf8');
    } catch (err) {
      throw new UsageError(
        `--stripe-key-file: cannot read ${o.stripeKeyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  } else {
    key = await ctx.readStdin();
  }
  key = key.trim();
  if (key === '') throw new UsageError('the Stripe key is empty');
  return key;
}

/** Reads stdin to its end; on a terminal, says what it waits for (on stderr, so stdout stays clean). */
export async function readProcessStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) process.stderr.write('Paste the Stripe key, then press Enter and Ctrl-D: ');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export interface KeyCheckOptions {
  stripeKey: string;
  resource: ResourceName;
  /** incremental also reads the resource's events: the check lists them too. */
  mode?: SyncMode;
  stripeApiBase?: string;
  timeoutMs: number;
}

export interface KeyCheck {
  /** The key as it may be shown: rk_test_…abcd. */
  masked: string;
  mode: 'test' | 'live';
  kind: 'restricted' | 'secret';
  /** Things the user should know but that do not stop the command (printed on stderr). */
  warnings: string[];
  /** The Stripe account the key belongs to, when the key (or Stripe's refusal) says. */
  account?: string;
}

export const DEFAULT_STRIPE_API_BASE = 'https://api.stripe.com';

export function fullKeyWarning(stripeKey: string, resource: ResourceName): string {
  const label = RESOURCES[resource].label;
  return (
    `${maskKey(stripeKey)} is a full secret key: it can change and delete anything in the Stripe account, and Compound only reads. ` +
    `Create a restricted key with Read on ${label} (Stripe dashboard → Developers → API keys → Create restricted key) and use that instead`
  );
}

/** Attempts of one key-check request answered 429 (the account is busy, maybe syncing) before giving up. */
const RATE_LIMITED_ATTEMPTS = 5;

async function patientWith429<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      if (attempt >= RATE_LIMITED_ATTEMPTS || classifyStripeError(err).kind !== 'rateLimited') throw err;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt + Math.random() * 500));
    }
  }
}

/**
 * One list call (limit=1) on the interaction's resource, with the key: the same request a sync makes,
 * so a key that passes here can sync. 401/403 are the user's to fix (UsageError, exit 2); an unreachable
 * API or a Stripe outage is a plain failure (exit 1).
 */
export async function checkStripeKey(o: KeyCheckOptions): Promise<KeyCheck> {
  const base = o.stripeApiBase ?? DEFAULT_STRIPE_API_BASE;
  const masked = maskKey(o.stripeKey);
  const stripe = createStripeClient({
    stripeKey: o.stripeKey,
    apiBase: o.stripeApiBase,
    timeoutMs: o.timeoutMs,
  });
  // The exact request a sync sends (created range and the resource's list parameters), with limit 1:
  // an endpoint that would refuse the sync's request refuses it here, before anything is created.
  try {
    await patientWith429(() =>
      listPage(stripe, RESOURCES[o.resource], {
        limit: 1,
        range: { gte: STRIPE_EPOCH, lt: Math.floor(Date.now() / 1000) + 1 },
      }),
    );
  } catch (err) {
    throw keyCheckError(err, { ...o, base, masked });
  }
  if (o.mode === 'incremental') {
    const now = Math.floor(Date.now() / 1000);
    try {
      await patientWith429(() =>
        listEventsPage(stripe, RESOURCES[o.resource], { limit: 1, window: { gte: now - 3600, lt: now } }),
      );
    } catch (err) {
      const e = classifyStripeError(err);
      if (e.kind === 'missingPermission')
        throw new UsageError(
          `${masked}: ${eventsPermissionHint('--mode snapshot')} (Stripe said: ${e.message})`,
        );
      throw keyCheckError(err, { ...o, base, masked });
    }
  }
  let account: string | undefined;
  try {
    account = await patientWith429(() => findAccountId(stripe));
  } catch (err) {
    throw keyCheckError(err, { ...o, base, masked });
  }
  const kind = isRestrictedKey(o.stripeKey) ? 'restricted' : 'secret';
  return {
    masked,
    mode: keyMode(o.stripeKey),
    kind,
    ...(account && { account }),
    warnings: kind === 'secret' ? [fullKeyWarning(o.stripeKey, o.resource)] : [],
  };
}

export function keyCheckError(
  err: unknown,
  o: { resource: ResourceName; base: string; masked: string },
): Error {
  const e = classifyStripeError(err);
  if (!e.fromStripe) return new Error(`checking the Stripe key against ${o.base} failed: ${e.message}`);
  switch (e.kind) {
    case 'invalidKey':
      return new UsageError(`Stripe rejected ${o.masked}: the key is not valid (Stripe said: ${e.message})`);
    case 'missingPermission':
      return new UsageError(`${o.masked}: ${permissionHint(o.resource)} (Stripe said: ${e.message})`);
    case 'refusedRequest':
      // Retrying would not help (a sync's pages fail the same way): the request itself is refused.
      return new UsageError(
        `Stripe at ${o.base} refused the list request a sync would send for ${o.resource} (Stripe said: ${e.message}); check --stripe-api-base`,
      );
    case 'unreachable':
      return new Error(`cannot reach the Stripe API at ${o.base} to check the key: ${e.message}`);
    default:
      return new Error(
        `checking the Stripe key against ${o.base} failed${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}: ${e.message}; try again`,
      );
  }
}
