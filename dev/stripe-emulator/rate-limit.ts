import type { Mode, RateLimitConfig } from './types';
import type { RateLimitReason } from './errors';

// Stripe's limits per account: a global rate (test 25/s, live 100/s) and a per-endpoint rate
// (25/s), both counted over a sliding one-second window. A sliding log admits at most N requests
// in ANY second (a token bucket would let a full bucket burst on top of the rate, +10% over a
// 10-second run), so a client saturating it gets exactly N×seconds — what the ±5% tests measure.
// Rejected requests are not logged, so a client hammering the API still gets its N per second.

/** Ring buffer of the accept times (ms) of the last `capacity` admitted requests. */
interface SlidingWindow {
  times: Float64Array;
  head: number;
  size: number;
}

function newWindow(capacity: number): SlidingWindow {
  return { times: new Float64Array(Math.max(1, capacity)), head: 0, size: 0 };
}

function hasRoom(w: SlidingWindow, now: number): boolean {
  return w.size < w.times.length || now - w.times[w.head] >= 1000;
}

function admit(w: SlidingWindow, now: number): void {
  const cap = w.times.length;
  if (w.size < cap) {
    w.times[(w.head + w.size) % cap] = now;
    w.size++;
  } else {
    w.times[w.head] = now;
    w.head = (w.head + 1) % cap;
  }
}

export interface AccountLimiter {
  global: SlidingWindow;
  endpoints: Map<string, SlidingWindow>;
  /** the config the windows were sized for; a config change resets them */
  config: RateLimitConfig;
  mode: Mode;
}

export function newLimiter(config: RateLimitConfig, mode: Mode): AccountLimiter {
  return {
    global: newWindow(mode === 'live' ? config.globalLive : config.globalTest),
    endpoints: new Map(),
    config,
    mode,
  };
}

/** Admits the request (recording it in both windows) or names the limit it exceeds. */
export function tryAcquire(l: AccountLimiter, endpoint: string, now: number): RateLimitReason | null {
  if (!l.config.enabled) return null;
  let ep = l.endpoints.get(endpoint);
  if (!ep) l.endpoints.set(endpoint, (ep = newWindow(l.config.perEndpoint)));
  if (!hasRoom(l.global, now)) return 'global-rate';
  if (!hasRoom(ep, now)) return 'endpoint-rate';
  admit(l.global, now);
  admit(ep, now);
  return null;
}
