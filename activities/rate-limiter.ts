import { STRIPE_RATE_LIMITS } from '../stripe/rate-limits';

// Client-side pacing so Compound stays under Stripe's limits instead of bouncing off them with 429s.
// One limiter per Stripe account, shared by every activity in the worker process. It hands out
// request slots spaced 1/rate apart for the account (global limit) and for each endpoint, so no
// one-second window ever holds more than `rate` requests. Waiting requests are served in order of
// arrival among those whose endpoint has a free slot: a backlog on charges never holds up products.

export interface StripeRateLimits {
  /** Requests per second for the whole account (Stripe: 25 in test mode, 100 live). */
  global: number;
  /** Requests per second for one endpoint such as `charges.list` (Stripe: 25). */
  perEndpoint: number;
}

/** Stripe's limits times `share`, the part of them Compound may use. */
export function stripeLimitsFor(mode: 'test' | 'live', share: number): StripeRateLimits {
  return { global: STRIPE_RATE_LIMITS[mode] * share, perEndpoint: STRIPE_RATE_LIMITS.perEndpoint * share };
}

export interface RateLimiter {
  /** Resolves when a request to `endpoint` may be sent. */
  acquire(endpoint: string): Promise<void>;
  /**
   * Stripe said 429 anyway (another client shares the account, or clocks disagree): slow down by 10 %,
   * then creep back to the full rate over the next seconds (additive increase, multiplicative decrease).
   */
  rateLimited(): void;
  /** Share of the configured rate currently used (1 = full). */
  factor(): number;
  /**
   * How long a request to `endpoint` made now would wait: the signal the paging workflows split on
   * (more slices only help while it is short).
   */
  backlogMs(endpoint: string): number;
  /** New limits from the next grant on (the interaction's rate share changed). */
  setLimits(limits: StripeRateLimits): void;
}

const BACKOFF = 0.9;
const MIN_FACTOR = 0.5;
const RECOVERY_PER_SECOND = 0.05;
/**
 * A slot granted late (a busy event loop fires timers late) moves the next slot back, except for this
 * much: a stall must not be followed by a burst of catch-up requests that Stripe would count in one second.
 */
const CATCH_UP_MS = 5;

interface Waiter {
  endpoint: string;
  grant: () => void;
}

export function createRateLimiter(initial: StripeRateLimits, now: () => number = Date.now): RateLimiter {
  let limits = initial;
  let globalNext = 0;
  const endpointNext = new Map<string, number>();
  const waiting: Waiter[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let factor = 1;
  let factorAt = now();
  const currentFactor = () => {
    const t = now();
    factor = Math.min(1, factor + ((t - factorAt) / 1000) * RECOVERY_PER_SECOND);
    factorAt = t;
    return factor;
  };
  const readyAt = (w: Waiter) => Math.max(globalNext, endpointNext.get(w.endpoint) ?? 0);

  const pump = () => {
    timer = undefined;
    const t = now();
    const next = waiting.findIndex((w) => readyAt(w) <= t);
    if (next >= 0) {
      const [w] = waiting.splice(next, 1);
      const f = currentFactor();
      const from = (planned: number) => Math.max(planned, t - CATCH_UP_MS);
      globalNext = from(globalNext) + 1000 / (limits.global * f);
      endpointNext.set(w.endpoint, from(endpointNext.get(w.endpoint) ?? 0) + 1000 / (limits.perEndpoint * f));
      w.grant();
    }
    if (waiting.length > 0) {
      const due = Math.min(...waiting.map(readyAt));
      timer = setTimeout(pump, Math.max(0, due - now()));
    }
  };

  return {
    acquire(endpoint) {
      return new Promise<void>((grant) => {
        waiting.push({ endpoint, grant });
        // It may be ready sooner than whatever the pump waits for.
        clearTimeout(timer);
        pump();
      });
    },
    rateLimited() {
      factor = Math.max(MIN_FACTOR, currentFactor() * BACKOFF);
    },
    factor: currentFactor,
    backlogMs(endpoint) {
      const t = now();
      const f = currentFactor();
      const queued = waiting.filter((w) => w.endpoint === endpoint).length;
      const forEndpoint =
        Math.max(0, (endpointNext.get(endpoint) ?? 0) - t) + (queued * 1000) / (limits.perEndpoint * f);
      const forAccount = Math.max(0, globalNext - t) + (waiting.length * 1000) / (limits.global * f);
      return Math.max(forEndpoint, forAccount);
    },
    setLimits(next) {
      limits = next;
    },
  };
}

/**
 * A wait in this worker's limiter, counted in the account's slots (1 ÷ its rate) instead of this
 * worker's. Each of N workers holds 1/N of the rate, so a single request ahead already waits N account
 * slots (~170 ms with 4 workers), and which worker gets a page is Temporal's choice: one request queued
 * here says nothing of the account while another worker idles. Counted this way, the paging plan's
 * thresholds (workflows/paging-plan.ts) mean the same number of requests ahead of a page, whatever N.
 */
export const accountBacklogMs = (workerWaitMs: number, workers: number): number =>
  workerWaitMs / Math.max(1, workers);

/**
 * Limiters by account, keyed by the caller (API base and budget), shared by every interaction of the
 * account in this worker. An account's interactions should agree on their rate share; when they don't,
 * the limiter follows the one whose page came last.
 */
export function createRateLimiterRegistry() {
  const limiters = new Map<string, { limiter: RateLimiter; share: number }>();
  return (accountKey: string, mode: 'test' | 'live', share: number): RateLimiter => {
    const known = limiters.get(accountKey);
    if (!known) {
      const limiter = createRateLimiter(stripeLimitsFor(mode, share));
      limiters.set(accountKey, { limiter, share });
      return limiter;
    }
    if (known.share !== share) {
      known.limiter.setLimits(stripeLimitsFor(mode, share));
      known.share = share;
    }
    return known.limiter;
  };
}
export type RateLimiterRegistry = ReturnType<typeof createRateLimiterRegistry>;
