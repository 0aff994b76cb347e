import { createRateLimiter, stripeLimitsFor } from '../../activities/rate-limiter';

describe('rate limiter', () => {
  it('follows Stripe: 25 req/s test, 100 live, 25 per endpoint, scaled by headroom', () => {
    expect(stripeLimitsFor('test', 1)).toEqual({ global: 25, perEndpoint: 25 });
    expect(stripeLimitsFor('live', 0.5)).toEqual({ global: 50, perEndpoint: 12.5 });
  });

  it('never grants more than the rate in any one-second window, globally and per endpoint', async () => {
    // Fake timers move Date.now() to each timer's due time as it fires, so grants are timed exactly.
    jest.useFakeTimers({ now: 0 });
    const limiter = createRateLimiter({ global: 40, perEndpoint: 20 });
    const grants: { endpoint: string; at: number }[] = [];
    try {
      const all: Promise<void>[] = [];
      for (let i = 0; i < 120; i++) {
        const endpoint = i % 3 === 0 ? 'charges.list' : i % 3 === 1 ? 'products.list' : 'subscriptions.list';
        all.push(limiter.acquire(endpoint).then(() => void grants.push({ endpoint, at: Date.now() })));
      }
      await jest.advanceTimersByTimeAsync(10000);
      await Promise.all(all);
    } finally {
      jest.useRealTimers();
    }
    const maxInWindow = (times: number[]) =>
      Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    expect(maxInWindow(grants.map((g) => g.at))).toBeLessThanOrEqual(40);
    expect(
      maxInWindow(grants.filter((g) => g.endpoint === 'charges.list').map((g) => g.at)),
    ).toBeLessThanOrEqual(20);
    // …and it is not needlessly slow: 120 requests over 3 endpoints at 60 req/s of endpoint capacity, 40 global.
    expect(Math.max(...grants.map((g) => g.at))).toBeLessThan(3200);
  });

  it('holds everyone back after a 429', async () => {
    jest.useFakeTimers({ now: 1000 });
    const limiter = createRateLimiter({ global: 1000, perEndpoint: 1000 });
    limiter.penalize(500);
    try {
      let granted = false;
      const p = limiter.acquire('charges.list').then(() => (granted = true));
      await jest.advanceTimersByTimeAsync(400);
      expect(granted).toBe(false);
      await jest.advanceTimersByTimeAsync(150);
      await p;
      expect(granted).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
