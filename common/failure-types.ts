// The failure types Compound puts on its ApplicationFailures: one vocabulary for activities,
// workflows and the CLI. Stripe's own error types keep Stripe's names, so a failure read in the Web
// UI matches Stripe's documentation.

export const FAILURE = {
  /** 401: the key is not valid (revoked, mistyped). */
  invalidKey: 'StripeAuthenticationError',
  /** 403: a restricted key without Read on the resource. */
  missingPermission: 'StripePermissionError',
  /** 400: Stripe refused the list request itself. */
  refusedRequest: 'StripeInvalidRequestError',
  /** 429: retried after a jittered delay; never fails a run. */
  rateLimited: 'StripeRateLimitError',
  /** The server answered something other than JSON: a wrong API base or a proxy. */
  notJson: 'StripeNotJson',
  interactionNotFound: 'InteractionNotFound',
  invalidInteraction: 'InvalidInteraction',
  sealedKeyUnavailable: 'SealedKeyUnavailable',
  objectTooLarge: 'ObjectTooLargeError',
  invalidBackfillRequest: 'InvalidBackfillRequest',
} as const;

export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];
