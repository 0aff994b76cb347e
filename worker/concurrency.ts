// How many page fetches a worker runs at once, from Little's law: in-flight = rate × time-in-flight.
// The most a Stripe account allows is 100 req/s (live mode). A page holds its slot for Stripe's
// 0.3–0.5 s, the SQS send and its turn in the rate limiter: the benchmark measures 0.6–1.05 s from
// scheduling to completion on a busy machine, so 100 × 0.8 = 80 slots keep a live account at its limit. More would only queue inside the rate limiter (each waiting activity still holds a slot and
// counts against its timeout); fewer would leave rate on the table. The rate limiter, not this number,
// is what keeps us under Stripe's limits (the product this replaces capped Lambdas at 20 for that).
export const MAX_STRIPE_RATE_PER_ACCOUNT = 100;
export const EXPECTED_PAGE_SECONDS = 0.8;
export const DEFAULT_MAX_CONCURRENT_ACTIVITIES = Math.ceil(
  MAX_STRIPE_RATE_PER_ACCOUNT * EXPECTED_PAGE_SECONDS,
);
