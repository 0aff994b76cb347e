import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE } from '../common/failure-types';
import type { Interaction } from '../common/interaction';
import { classifyStripeError, permissionHint } from '../stripe/errors';

// What a Stripe error means for a run: fix-it-yourself errors fail the run at once with a message that
// says what to do; transient ones are retried by Temporal. The reading itself is stripe/errors.ts.

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
  const e = classifyStripeError(err);
  if (!e.fromStripe) return new Error(e.message);
  const where = `interaction ${interaction.id} (${interaction.resource})`;
  switch (e.kind) {
    case 'invalidKey':
      return ApplicationFailure.nonRetryable(
        `Stripe rejected the API key of ${where}: the key is not valid (${e.message}). ` +
          `Rotate it with: compound interactions update ${interaction.id} --stripe-key-env VAR`,
        e.type,
      );
    case 'missingPermission':
      return ApplicationFailure.nonRetryable(
        `${where}: ${permissionHint(interaction.resource)} (Stripe said: ${e.message})`,
        e.type,
      );
    case 'refusedRequest':
      return ApplicationFailure.nonRetryable(
        `Stripe refused the list request of ${where}: ${e.message}`,
        e.type,
      );
    case 'rateLimited':
      return ApplicationFailure.create({
        message: `Stripe answered 429 (rate limited) for ${where}; retrying`,
        type: e.type,
        nextRetryDelay: retryDelayMs,
      });
    case 'notJson': {
      const base = interaction.stripeApiBase ?? 'https://api.stripe.com';
      const status = e.statusCode ? `HTTP ${e.statusCode} with ` : '';
      const said = `${base} answered ${status}a body that is not JSON (attempt ${attempt})`;
      if (attempt >= NON_JSON_ATTEMPTS)
        return ApplicationFailure.nonRetryable(
          `${where}: ${said}. Stripe always answers JSON, so the API base URL or a proxy in front of it is probably wrong; fix it with compound interactions update ${interaction.id} and sync again`,
          FAILURE.notJson,
        );
      return ApplicationFailure.retryable(`${where}: ${said}; retrying`, FAILURE.notJson);
    }
    default:
      // 5xx, connection resets, timeouts, malformed bodies: transient, Temporal retries with backoff.
      return ApplicationFailure.retryable(`Stripe request failed for ${where}: ${e.message}`, e.type);
  }
}
