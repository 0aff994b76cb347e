import { createRateLimiter, createRateLimiterRegistry, stripeLimitsFor } from '../../activities/rate-limiter';

describe('rate limiter', () => {
  it('follows Stripe: 25 req/s test, 100 live, 25 per endpoint, scaled by headroom', () => {
    expect(stripeLimitsFor('test', 1)).toEqual({ global: 25, perEndpoint: 25 });
    expect(stripeLimitsFor('live', 0.5)).toEqual({ global: 50, perEndpoint: 12.5 });
  });

  it('one limiter per account, at the share its interaction asks for; a changed share changes the rate', async () => {
    // Before the limiter exists: it reads the clock it was created with.
    jest.useFakeTimers({ now: 0 });
    try {
      const registry = createRateLimiterRegistry();
      const limiter = registry('acct_1', 'test', 0.4);
      expect(registry('acct_1', 'test', 0.4)).toBe(limiter);
      expect(registry('acct_2', 'test', 0.4)).not.toBe(limiter);
      const grantedWithin = async (ms: number) => {
        let granted = 0;
        const all = Array.from({ length: 50 }, () =>
          limiter.acquire('charges.list').then(() => void granted++),
        );
        await jest.advanceTimersByTimeAsync(ms);
        const within = granted;
        await jest.advanceTimersByTimeAsync(60000);
        await Promise.all(all);
        return within;
      };
      // 0.4 × 25 = 10 req/s: the first grant is immediate, then one every 100 ms.
      expect(await grantedWithin(960)).toBe(10);
      registry('acct_1', 'test', 0.2);
      await jest.advanceTimersByTimeAsync(1000);
      expect(await grantedWithin(960)).toBe(5);
    } finally {
      jest.useRealTimers();
    }
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

  it('serves an endpoint with a free slot at once, whatever the backlog on another', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const limiter = createRateLimiter({ global: 100, perEndpoint: 10 });
      const charges = Array.from({ length: 20 }, () => limiter.acquire('charges.list'));
      let productsAt: number | undefined;
      void limiter.acquire('products.list').then(() => (productsAt = Date.now()));
      await jest.advanceTimersByTimeAsync(50);
      // 20 charges queued at 10 req/s take two seconds; products only waits for the global spacing.
      expect(productsAt).toBeLessThanOrEqual(10);
      await jest.advanceTimersByTimeAsync(2000);
      await Promise.all(charges);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not burst to catch up after the event loop stalled', async () => {
    // Real timers: a blocked event loop fires every timer that fell due during the block at once.
    const limiter = createRateLimiter({ global: 20, perEndpoint: 20 });
    const grants: number[] = [];
    const all = Array.from({ length: 8 }, () =>
      limiter.acquire('charges.list').then(() => grants.push(performance.now())),
    );
    await all[0];
    const blockedUntil = performance.now() + 300;
    while (performance.now() < blockedUntil); // the stall: slots at 50…300 ms pass unserved
    await Promise.all(all);
    const gaps = grants.slice(1).map((g, i) => g - grants[i]);
    // After the stall the slots stay 50 ms apart (5 ms of catch-up at most), not five at once.
    expect(Math.min(...gaps.slice(1))).toBeGreaterThanOrEqual(44);
  });

  it('reports the wait a new request would face, per endpoint and for the account', () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const limiter = createRateLimiter({ global: 100, perEndpoint: 10 });
      expect(limiter.backlogMs('charges.list')).toBe(0);
      for (let i = 0; i < 3; i++) void limiter.acquire('charges.list');
      // One granted, two queued at 10 req/s: a fourth would wait ~300 ms; products only the account's 10 ms gaps.
      expect(limiter.backlogMs('charges.list')).toBeCloseTo(300, 0);
      expect(limiter.backlogMs('products.list')).toBeCloseTo(30, 0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('slows down after a 429 and creeps back to the full rate', () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const limiter = createRateLimiter({ global: 100, perEndpoint: 100 });
      limiter.rateLimited();
      limiter.rateLimited();
      expect(limiter.factor()).toBeCloseTo(0.81, 5);
      jest.advanceTimersByTime(2000);
      expect(limiter.factor()).toBeCloseTo(0.91, 5);
      jest.advanceTimersByTime(10000);
      expect(limiter.factor()).toBe(1);
      for (let i = 0; i < 50; i++) limiter.rateLimited();
      expect(limiter.factor()).toBe(0.5); // never below half the configured rate
    } finally {
      jest.useRealTimers();
    }
  });

  it('spaces requests wider while slowed down', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const limiter = createRateLimiter({ global: 10, perEndpoint: 10 });
      for (let i = 0; i < 7; i++) limiter.rateLimited(); // factor ≈ 0.48 → floor 0.5: 5 req/s
      let granted = 0;
      for (let i = 0; i < 3; i++) void limiter.acquire('charges.list').then(() => granted++);
      await jest.advanceTimersByTimeAsync(150);
      expect(granted).toBe(1); // a full-rate limiter would have granted 2 by now (0 ms, 100 ms)
      await jest.advanceTimersByTimeAsync(300);
      expect(granted).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
