import { performance } from 'node:perf_hooks';
import type Stripe from 'stripe';
import { startEmulator, type AccountInfo, type RunningEmulator } from '../../dev/stripe-emulator';
import { stripeFor } from './helpers';

// A large account is generated in seconds and a list call stays O(log n + limit): a page deep inside
// 200k charges, or inside a second shared by 20,000 of them, is as fast as the first page.

let emu: RunningEmulator;
let acct: AccountInfo;
const TIE = 1_650_000_000;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rateLimits: { enabled: false } });
});

afterAll(() => emu.close());

it('generates 200k charges, 50k subscriptions and 20k products in a few seconds', async () => {
  const t = performance.now();
  acct = await emu.admin.createAccount({
    mode: 'live',
    seed: 2024,
    counts: { charges: 200_000, products: 20_000, subscriptions: 50_000 },
    span: { from: 1_600_000_000, to: 1_700_000_000 },
    ties: { count: 20_000, at: TIE, resource: 'charges' },
  });
  const seconds = (performance.now() - t) / 1000;
  expect(seconds).toBeLessThan(5);
  const summary = await emu.admin.getAccount(acct.id);
  expect(summary.counts).toMatchObject({ charges: 200_000, products: 20_000, subscriptions: 50_000 });
}, 30_000);

it('a page deep in the list costs no more than the first', async () => {
  const stripe = stripeFor(emu, acct.keys.secret);
  const truth = await emu.admin.objects(acct.id, 'charges');
  const tied = truth.filter((c) => c.created === TIE);
  expect(tied.length).toBeGreaterThanOrEqual(20_000);

  // best of three, so a GC pause or a busy machine does not decide the outcome
  const time = async (params: Parameters<typeof stripe.charges.list>[0]) => {
    let best = Infinity;
    let page: Stripe.ApiList<Stripe.Charge> | undefined;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      page = await stripe.charges.list(params);
      best = Math.min(best, performance.now() - t);
    }
    return { ms: best, page: page as Stripe.ApiList<Stripe.Charge> };
  };
  await time({ limit: 100 }); // warm up
  const first = await time({ limit: 100 });
  const deep = await time({ limit: 100, starting_after: truth[190_000].id });
  const inTie = await time({ limit: 100, starting_after: tied[15_000].id, created: { gte: TIE, lte: TIE } });

  expect(deep.page.data.map((c) => c.id)).toEqual(truth.slice(190_001, 190_101).map((c) => c.id));
  expect(inTie.page.data.map((c) => c.id)).toEqual(tied.slice(15_001, 15_101).map((c) => c.id));
  // generous bounds: the point is "not proportional to the position" (a scan would take 100s of ms)
  expect(deep.ms).toBeLessThan(Math.max(50, first.ms * 5));
  expect(inTie.ms).toBeLessThan(Math.max(50, first.ms * 5));
}, 30_000);
