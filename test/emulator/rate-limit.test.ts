import { Agent } from 'node:http';
import Stripe from 'stripe';
import { startEmulator, type RunningEmulator } from '../../dev/stripe-emulator';
import { bearer, rawGet, stripeFor } from './helpers';

// Stripe's limits per account: global 25/s (test) or 100/s (live), 25/s per endpoint; 429s the
// client maps to StripeRateLimitError; the concurrency limiter; the latency model.

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});

afterAll(() => emu.close());

const small = { counts: { charges: 20, products: 5, subscriptions: 5 } };

/**
 * `loops` clients send back-to-back requests for `ms` and count the 200s RECEIVED before the
 * deadline: a request admitted at or after the deadline cannot be received before it, so the count
 * is exactly what the limiter admitted inside the window.
 */
async function burst(
  urls: string[],
  key: string,
  loops: number,
  ms: number,
  agent: Agent,
): Promise<{ ok: number; limited: number }> {
  const start = Date.now();
  const deadline = start + ms;
  let ok = 0;
  let limited = 0;
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let i = loop; Date.now() < deadline; i++) {
        const res = await rawGet(urls[i % urls.length], bearer(key), agent);
        if (Date.now() >= deadline) break;
        if (res.status === 200) ok++;
        else if (res.status === 429) limited++;
        else throw new Error(`unexpected ${res.status}: ${res.body}`);
      }
    }),
  );
  return { ok, limited };
}

describe('rate limits hold within ±5% over a 10-second burst', () => {
  it('test global 25/s, live global 100/s, per-endpoint 25/s', async () => {
    const test = await emu.admin.createAccount({ mode: 'test', seed: 1, ...small });
    const liveGlobal = await emu.admin.createAccount({ mode: 'live', seed: 2, ...small });
    const liveEndpoint = await emu.admin.createAccount({ mode: 'live', seed: 3, ...small });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const v1 = `${emu.url}/v1`;
    // eight endpoints, each allowed 25/s: only the global 100/s binds for the live account
    const [ch] = await emu.admin.objects(liveGlobal.id, 'charges');
    const [pr] = await emu.admin.objects(liveGlobal.id, 'products');
    const [su] = await emu.admin.objects(liveGlobal.id, 'subscriptions');
    const [ev] = await emu.admin.objects(liveGlobal.id, 'events');
    const eight = [
      `${v1}/charges?limit=1`,
      `${v1}/products?limit=1`,
      `${v1}/subscriptions?limit=1`,
      `${v1}/events?limit=1`,
      `${v1}/charges/${ch.id}`,
      `${v1}/products/${pr.id}`,
      `${v1}/subscriptions/${su.id}`,
      `${v1}/events/${ev.id}`,
    ];
    const seconds = 10;
    // the three scenarios run at once (separate accounts, separate limits): 8 loops in all
    const [t, g, e] = await Promise.all([
      burst([`${v1}/charges?limit=1`, `${v1}/products?limit=1`], test.keys.secret, 3, seconds * 1000, agent),
      burst(eight, liveGlobal.keys.secret, 3, seconds * 1000, agent),
      burst([`${v1}/charges?limit=1`], liveEndpoint.keys.secret, 2, seconds * 1000, agent),
    ]);
    agent.destroy();
    const within = (got: number, perSecond: number) => {
      expect(got).toBeGreaterThanOrEqual(perSecond * seconds * 0.95);
      expect(got).toBeLessThanOrEqual(perSecond * seconds * 1.05);
    };
    within(t.ok, 25);
    within(g.ok, 100);
    within(e.ok, 25);
    // the loops really were over the limits
    expect(t.limited).toBeGreaterThan(t.ok);
    expect(e.limited).toBeGreaterThan(e.ok);
    const counters = await emu.admin.counters(test.id);
    expect(counters.rateLimited).toBeGreaterThanOrEqual(t.limited);
    expect(
      counters.requests['charges.list']['200'] + counters.requests['products.list']['200'],
    ).toBeGreaterThanOrEqual(t.ok);
  }, 30_000);
});

describe('429 responses', () => {
  it('are StripeRateLimitError with code rate_limit, the limiter named, and no Retry-After', async () => {
    await emu.admin.setConfig({ rateLimits: { globalTest: 2 } });
    try {
      const acct = await emu.admin.createAccount({ mode: 'test', seed: 4, ...small });
      const stripe = stripeFor(emu, acct.keys.secret);
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => stripe.charges.list({ limit: 1 })));
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(2);
      const err = rejected[0].reason as Stripe.errors.StripeError;
      expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect(err.statusCode).toBe(429);
      expect(err.code).toBe('rate_limit');
      expect(err.message).toMatch(/request rate limit exceeded/i);
      expect(err.headers?.['stripe-rate-limited-reason']).toBe('global-rate');
      expect(err.headers?.['retry-after']).toBeUndefined();
    } finally {
      await emu.admin.setConfig({ rateLimits: { globalTest: 25 } });
    }
  });

  it('live mode words it without "Testmode"', async () => {
    await emu.admin.setConfig({ rateLimits: { perEndpoint: 1 } });
    try {
      const acct = await emu.admin.createAccount({ mode: 'live', seed: 5, ...small });
      const url = `${emu.url}/v1/products?limit=1`;
      await rawGet(url, bearer(acct.keys.secret));
      const res = await rawGet(url, bearer(acct.keys.secret));
      expect(res.status).toBe(429);
      expect(res.headers['stripe-rate-limited-reason']).toBe('endpoint-rate');
      expect(JSON.parse(res.body).error.message).toBe(
        'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
      );
    } finally {
      await emu.admin.setConfig({ rateLimits: { perEndpoint: 25 } });
    }
  });
});

describe('concurrency limit and latency', () => {
  afterEach(async () => {
    await emu.admin.setConfig({
      latency: { baseMs: 0, perObjectMs: 0, jitterMs: 0 },
      concurrencyLimit: null,
    });
  });

  it('rejects requests over the in-flight limit with a concurrency 429', async () => {
    await emu.admin.setConfig({
      latency: { baseMs: 300 },
      concurrencyLimit: 2,
      rateLimits: { enabled: false },
    });
    try {
      const acct = await emu.admin.createAccount({ mode: 'test', seed: 6, ...small });
      const stripe = stripeFor(emu, acct.keys.secret);
      const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => stripe.charges.list({ limit: 1 })));
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(3);
      const err = rejected[0].reason as Stripe.errors.StripeError;
      expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect(err.headers?.['stripe-rate-limited-reason']).toBe('global-concurrency');
      const counters = await emu.admin.counters(acct.id);
      expect(counters.maxConcurrent).toBeGreaterThanOrEqual(2);
      expect(counters.requests['charges.list']).toEqual({ '200': 2, '429': 3 });
    } finally {
      await emu.admin.setConfig({ rateLimits: { enabled: true } });
    }
  });

  it('delays a list by base + perObject × objects', async () => {
    await emu.admin.setConfig({ latency: { baseMs: 100, perObjectMs: 10, jitterMs: 0 } });
    const acct = await emu.admin.createAccount({ mode: 'test', seed: 7, ...small });
    const stripe = stripeFor(emu, acct.keys.secret);
    let t = Date.now();
    await stripe.charges.list({ limit: 1 });
    const one = Date.now() - t;
    t = Date.now();
    await stripe.charges.list({ limit: 10 });
    const ten = Date.now() - t;
    // timers never fire early; a loaded machine can only make these longer
    expect(one).toBeGreaterThanOrEqual(108);
    expect(ten).toBeGreaterThanOrEqual(198);
  });
});
