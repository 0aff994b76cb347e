/** Stripe's published rate limits, requests per second: per account by mode, and per endpoint. */
export const STRIPE_RATE_LIMITS = { test: 25, live: 100, perEndpoint: 25 } as const;
