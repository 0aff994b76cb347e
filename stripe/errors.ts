import Stripe from 'stripe';
import { FAILURE } from '../common/failure-types';
import { redactSecrets } from '../common/mask';
import { RESOURCES, type ResourceName } from './resources';

// The one reading of a Stripe error, shared by the fetchPage activity and the CLI's key check, so the
// two never disagree on whether a failure is the user's to fix or worth another try.

export type StripeErrorKind =
  /** 401: the key is not valid (revoked, mistyped). */
  | 'invalidKey'
  /** 403: a restricted key without Read on the resource. */
  | 'missingPermission'
  /** 400/404: Stripe refused the request itself; the same request will be refused again. */
  | 'refusedRequest'
  /** 429: retry after a delay. */
  | 'rateLimited'
  /** A reply that is not JSON: a wrong API base or a proxy in the way, unless it passes. */
  | 'notJson'
  /** No answer at all: DNS, refused connection, timeout. */
  | 'unreachable'
  /** 5xx and other passing trouble. */
  | 'transient';

export interface ClassifiedStripeError {
  kind: StripeErrorKind;
  /** The error type Compound reports (Stripe's own names, see common/failure-types.ts). */
  type: string;
  /** Stripe's message with anything key-shaped masked. */
  message: string;
  statusCode?: number;
  /** False for errors that did not come from the Stripe client (a bug, an SQS failure): no Stripe reading applies. */
  fromStripe: boolean;
}

export function classifyStripeError(err: unknown): ClassifiedStripeError {
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  if (!(err instanceof Stripe.errors.StripeError))
    return { kind: 'transient', type: 'Error', message, fromStripe: false };
  const statusCode = err.statusCode;
  const kind = ((): StripeErrorKind => {
    if (err instanceof Stripe.errors.StripeAuthenticationError) return 'invalidKey';
    if (err instanceof Stripe.errors.StripePermissionError) return 'missingPermission';
    if (err instanceof Stripe.errors.StripeRateLimitError) return 'rateLimited';
    if (err instanceof Stripe.errors.StripeInvalidRequestError) return 'refusedRequest';
    if (err instanceof Stripe.errors.StripeConnectionError) return 'unreachable';
    if (err.type === 'StripeAPIError' && /Invalid JSON/i.test(err.message)) return 'notJson';
    return 'transient';
  })();
  const type = kind === 'notJson' ? FAILURE.notJson : err.type;
  return { kind, type, message, fromStripe: true, ...(statusCode !== undefined && { statusCode }) };
}

/** Read access to events, which incremental sync needs besides the resource itself. */
export const EVENTS_PERMISSION = 'rak_event_read';

/** What to do about a 403 on /v1/events; `snapshotAdvice` is how to switch this interaction to snapshots. */
export function eventsPermissionHint(snapshotAdvice: string): string {
  return (
    `incremental sync reads Stripe's events: grant the restricted key Read on Events (${EVENTS_PERMISSION}), ` +
    `or use full snapshots instead (${snapshotAdvice})`
  );
}

/** What to do about a 403: which permission the restricted key needs, in the dashboard's words and Stripe's. */
export function permissionHint(resource: ResourceName): string {
  const { label, permission } = RESOURCES[resource];
  return `the key lacks Read permission on ${label} (${permission}): edit the restricted key in the Stripe dashboard and grant Read for ${label}`;
}
