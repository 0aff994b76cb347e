import { FAILURE } from '../common/failure-types';
import { ApplicationFailure } from '@temporalio/activity';
import Stripe from 'stripe';
import type { Interaction } from '../common/interaction';
import { redactSecrets } from '../common/mask';
import { RESOURCES } from '../common/resources';

// What each Stripe error means for a run: fix-it-yourself errors fail the run at once with a message
// that says what to do; transient ones are retried by Temporal.

export const NON_RETRYABLE_STRIPE_ERRORS: string[] = [
  FAILURE.invalidKey,
  FAILURE.missingPermission,
  FAILURE.refusedRequest,
];

export function permissionHint(interaction: Pick<Interaction, 'resource'>): string {
  const label = RESOURCES[interaction.resource].label;
  return `the key lacks Read permission on ${label}: edit the restricted key in the Stripe dashboard and grant Read for ${label}`;
}

/**
 * Attempts after which a reply that is not JSON ends the run: Stripe always answers JSON, so one that
 * keeps answering something else is a wrong API base URL or a proxy in the way, not a hiccup.
 */
export const NON_JSON_ATTEMPTS = 5;

export function toActivityFailure(
  err: unknown,
  interaction: Pick<Interaction, 'id' | 'resource' | 'stripeApiBase'>,
  retryDelayMs: number,
  attempt = 1,
): Error {
  if (!(err instanceof Stripe.errors.StripeError))
    return err instanceof Error ? new Error(redactSecrets(err.message)) : new Error(String(err));
  const stripeMessage = redactSecrets(err.message);
  const where = `interaction ${interaction.id} (${interaction.resource})`;
  switch (err.type) {
    case FAILURE.invalidKey:
      return ApplicationFailure.nonRetryable(
        `Stripe rejected the API key of ${where}: the key is not valid (${stripeMessage}). ` +
          `Rotate it with: compound interactions update ${interaction.id} --stripe-key-env VAR`,
        err.type,
      );
    case FAILURE.missingPermission:
      return ApplicationFailure.nonRetryable(
        `${where}: ${permissionHint(interaction)} (Stripe said: ${stripeMessage})`,
        err.type,
      );
    case FAILURE.refusedRequest:
      return ApplicationFailure.nonRetryable(
        `Stripe refused the list request of ${where}: ${stripeMessage}`,
        err.type,
      );
    case FAILURE.rateLimited:
      return ApplicationFailure.create({
        message: `Stripe answered 429 (rate limited) for ${where}; retrying`,
        type: err.type,
        nextRetryDelay: retryDelayMs,
      });
    case 'StripeAPIError':
      if (/Invalid JSON/i.test(err.message)) {
        const base = interaction.stripeApiBase ?? 'https://api.stripe.com';
        const status = err.statusCode ? `HTTP ${err.statusCode} with ` : '';
        const said = `${base} answered ${status}a body that is not JSON (attempt ${attempt})`;
        if (attempt >= NON_JSON_ATTEMPTS)
          return ApplicationFailure.nonRetryable(
            `${where}: ${said}. Stripe always answers JSON, so the API base URL or a proxy in front of it is probably wrong; fix it with compound interactions update ${interaction.id} and sync again`,
            FAILURE.notJson,
          );
        return ApplicationFailure.retryable(`${where}: ${said}; retrying`, FAILURE.notJson);
      }
      return ApplicationFailure.retryable(`Stripe request failed for ${where}: ${stripeMessage}`, err.type);
    default:
      // 5xx, connection resets, timeouts, malformed bodies: transient, Temporal retries with backoff.
      return ApplicationFailure.retryable(`Stripe request failed for ${where}: ${stripeMessage}`, err.type);
  }
}
