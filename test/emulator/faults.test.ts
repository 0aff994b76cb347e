import Stripe from 'stripe';
import { startEmulator, type AccountInfo, type RunningEmulator } from '../../dev/stripe-emulator';
import { caught, stripeFor } from './helpers';

// Each injected fault as the official client observes it, and the counters it leaves.

let emu: RunningEmulator;
let acct: AccountInfo;
let stripe: Stripe;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rateLimits: { enabled: false } });
  acct = await emu.admin.createAccount({
    mode: 'test',
    seed: 11,
    counts: { charges: 40, products: 10, subscriptions: 10 },
  });
  stripe = stripeFor(emu, acct.keys.secret);
});

afterAll(() => emu.close());

beforeEach(async () => {
  await emu.admin.clearFaults();
  await emu.admin.resetCounters();
});

describe('fault kinds', () => {
  it('server_error: a 500 with api_error is a StripeAPIError', async () => {
    await emu.admin.addFault({ kind: 'server_error', count: 1 });
    const err = await caught(stripe.charges.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(500);
    expect(err.rawType).toBe('api_error');
    expect(err.message).toBe('An unknown error occurred');
    // spent after one
    await expect(stripe.charges.list()).resolves.toBeDefined();
    expect((await emu.admin.counters(acct.id)).requests['charges.list']).toEqual({ '500': 1, '200': 1 });
  });

  it('rate_limit with a count: a burst of StripeRateLimitErrors, then normal service', async () => {
    await emu.admin.addFault({ kind: 'rate_limit', count: 3 });
    for (let i = 0; i < 3; i++) {
      const err = await caught(stripe.products.list());
      expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect(err.code).toBe('rate_limit');
    }
    await expect(stripe.products.list()).resolves.toBeDefined();
    const counters = await emu.admin.counters(acct.id);
    expect(counters.requests['products.list']).toEqual({ '429': 3, '200': 1 });
    expect(counters.rateLimited).toBe(3);
  });

  it('connection_reset: the socket dies without a response, a StripeConnectionError', async () => {
    await emu.admin.addFault({ kind: 'connection_reset' });
    const err = await caught(stripe.charges.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    // stripe-node retries a closed connection once even with maxNetworkRetries: 0
    const resets = (await emu.admin.counters(acct.id)).requests['charges.list'].reset;
    expect(resets).toBeGreaterThanOrEqual(1);
    expect(resets).toBeLessThanOrEqual(2);
  });

  it("connection_reset once is absorbed by stripe-node's single closed-connection retry", async () => {
    await emu.admin.addFault({ kind: 'connection_reset', count: 1 });
    await expect(stripe.charges.list()).resolves.toBeDefined();
    expect((await emu.admin.counters(acct.id)).requests['charges.list']).toEqual({ reset: 1, '200': 1 });
  });

  it('stall: no answer within the client timeout, a StripeConnectionError', async () => {
    await emu.admin.addFault({ kind: 'stall', stallMs: 10_000, count: 1 });
    const impatient = stripeFor(emu, acct.keys.secret, { timeout: 300 });
    const t = Date.now();
    const err = await caught(impatient.charges.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(err.message).toMatch(/timeout/);
    expect(Date.now() - t).toBeLessThan(5_000);
    expect((await emu.admin.counters(acct.id)).requests['charges.list']).toEqual({ stall: 1 });
  });

  it('malformed: a 200 whose body is cut short is a StripeAPIError (invalid JSON)', async () => {
    await emu.admin.addFault({ kind: 'malformed', count: 1 });
    const err = await caught(stripe.subscriptions.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.message).toBe('Invalid JSON received from the Stripe API');
    expect((await emu.admin.counters(acct.id)).requests['subscriptions.list']).toEqual({ malformed: 1 });
  });
});

describe('fault targeting', () => {
  it('an endpoint-scoped fault leaves other endpoints alone', async () => {
    await emu.admin.addFault({ kind: 'server_error', endpoint: 'products.list' });
    await expect(stripe.charges.list()).resolves.toBeDefined();
    await expect(caught(stripe.products.list())).resolves.toBeInstanceOf(Stripe.errors.StripeAPIError);
  });

  it('an account-scoped fault leaves other accounts alone', async () => {
    const other = await emu.admin.createAccount({
      mode: 'test',
      seed: 12,
      counts: { charges: 5, products: 1, subscriptions: 1 },
    });
    await emu.admin.addFault({ kind: 'server_error', account: other.id });
    await expect(stripe.charges.list()).resolves.toBeDefined();
    await expect(caught(stripeFor(emu, other.keys.secret).charges.list())).resolves.toBeInstanceOf(
      Stripe.errors.StripeAPIError,
    );
  });

  it('probability 0 never fires; clearing removes faults', async () => {
    await emu.admin.addFault({ kind: 'server_error', probability: 0 });
    for (let i = 0; i < 5; i++) await stripe.charges.list({ limit: 1 });
    await emu.admin.addFault({ kind: 'server_error' });
    expect(await emu.admin.listFaults()).toHaveLength(2);
    await emu.admin.clearFaults();
    await expect(stripe.charges.list({ limit: 1 })).resolves.toBeDefined();
  });

  it('rejects an unknown fault kind', async () => {
    await expect(emu.admin.addFault({ kind: 'meteor' as 'stall' })).rejects.toMatchObject({ status: 400 });
  });
});
