import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { classifyStripeError } from './errors';

// Stripe limits requests per account, whatever key makes them: Compound budgets by account too. The
// account id is read with the key when it allows it; a restricted key's 403 names the account as well.

export const ACCOUNT_ID = /^acct_[A-Za-z0-9]{1,59}$/;

/** The account a key belongs to, or undefined when neither the answer nor Stripe's refusal says. */
export async function findAccountId(stripe: Stripe): Promise<string | undefined> {
  try {
    const account = (await stripe.rawRequest('GET', '/v1/account')) as unknown as { id?: unknown };
    return typeof account.id === 'string' && ACCOUNT_ID.test(account.id) ? account.id : undefined;
  } catch (err) {
    const e = classifyStripeError(err);
    // a 429 says nothing about the account: the caller retries
    if (e.kind === 'rateLimited') throw err;
    if (e.kind !== 'missingPermission') return undefined;
    return /on account '(acct_[A-Za-z0-9]+)'/.exec(e.message)?.[1];
  }
}

/** Names a key without revealing it: 16 hex characters of its SHA-256. */
export function keyFingerprint(stripeKey: string): string {
  return createHash('sha256').update(stripeKey).digest('hex').slice(0, 16);
}

/** The budget of an account Compound could not identify: one per key (a second key of it gets a second budget). */
export function keyBudget(stripeKey: string): string {
  return `key-${keyFingerprint(stripeKey)}`;
}
