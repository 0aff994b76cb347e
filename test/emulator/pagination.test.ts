import Stripe from 'stripe';
import {
  startEmulator,
  type AccountInfo,
  type GroundTruthEntry,
  type RunningEmulator,
} from '../../dev/stripe-emulator';
import { stripeFor } from './helpers';

// The official client's auto-pagination against the emulator visits every object exactly once, in
// Stripe's order, whatever the page size, with created filters, and across a second shared by 500
// objects; compared with the admin ground truth.

const FROM = 1_600_000_000;
const TO = 1_700_000_000;
const TIE = 1_650_000_000;

let emu: RunningEmulator;
let acct: AccountInfo;
let stripe: Stripe;
let truth: { charges: GroundTruthEntry[]; subscriptions: GroundTruthEntry[]; products: GroundTruthEntry[] };

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rateLimits: { enabled: false } });
  acct = await emu.admin.createAccount({
    mode: 'test',
    seed: 7,
    counts: { charges: 1200, products: 150, subscriptions: 400 },
    span: { from: FROM, to: TO },
    ties: { count: 500, at: TIE, resource: 'charges' },
  });
  stripe = stripeFor(emu, acct.keys.secret);
  truth = {
    charges: await emu.admin.objects(acct.id, 'charges'),
    subscriptions: await emu.admin.objects(acct.id, 'subscriptions'),
    products: await emu.admin.objects(acct.id, 'products'),
  };
});

afterAll(() => emu.close());

const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe('ground truth', () => {
  it('is newest first with ties ordered by id descending, and has the tie group', () => {
    const c = truth.charges;
    expect(c).toHaveLength(1200);
    for (let i = 1; i < c.length; i++) {
      const ordered =
        c[i - 1].created > c[i].created || (c[i - 1].created === c[i].created && c[i - 1].id > c[i].id);
      expect(ordered).toBe(true);
    }
    expect(c.filter((x) => x.created === TIE).length).toBeGreaterThanOrEqual(500);
  });
});

describe('auto-pagination visits every object exactly once', () => {
  it.each([1, 2, 10, 99, 100])('charges, limit %i (autoPagingEach)', async (limit) => {
    const seen: string[] = [];
    await stripe.charges.list({ limit }).autoPagingEach((c) => {
      seen.push(c.id);
    });
    expect(seen).toEqual(ids(truth.charges));
  });

  const filters: [string, Stripe.RangeQueryParam | number, (t: number) => boolean][] = [
    ['gte tie', { gte: TIE }, (t) => t >= TIE],
    ['lt tie', { lt: TIE }, (t) => t < TIE],
    ['gt tie', { gt: TIE }, (t) => t > TIE],
    ['gte+lte tie (only the tie second)', { gte: TIE, lte: TIE }, (t) => t === TIE],
    ['exact tie second', TIE, (t) => t === TIE],
    [
      'gte+lt window around the tie',
      { gte: TIE - 5_000_000, lt: TIE + 5_000_000 },
      (t) => t >= TIE - 5_000_000 && t < TIE + 5_000_000,
    ],
    ['empty window', { gt: TO }, () => false],
  ];
  it.each(filters)('charges with created %s, limits 7 and 100', async (_name, created, keep) => {
    const expected = ids(truth.charges.filter((x) => keep(x.created)));
    for (const limit of [7, 100]) {
      const seen = await stripe.charges.list({ limit, created }).autoPagingToArray({ limit: 10_000 });
      expect(ids(seen)).toEqual(expected);
    }
  });

  it('a cursor inside the tie group continues exactly after it', async () => {
    const tied = truth.charges.filter((x) => x.created === TIE);
    const cursor = tied[250].id;
    const page = await stripe.charges.list({
      limit: 100,
      starting_after: cursor,
      created: { gte: TIE, lte: TIE },
    });
    expect(ids(page.data)).toEqual(ids(tied.slice(251, 351)));
    expect(page.has_more).toBe(true);
  });

  it('ending_before pages backwards, newest-first within each page', async () => {
    const all = truth.charges;
    const collected: string[] = [];
    let cursor = all[all.length - 1].id;
    collected.unshift(cursor);
    for (;;) {
      const page = await stripe.charges.list({ limit: 100, ending_before: cursor });
      collected.unshift(...ids(page.data));
      if (!page.has_more) break;
      cursor = page.data[0].id;
    }
    expect(collected).toEqual(ids(all));
  });

  it('the page shape is a Stripe list', async () => {
    const page = await stripe.charges.list({ limit: 3 });
    expect(page.object).toBe('list');
    expect(page.url).toBe('/v1/charges');
    expect(page.has_more).toBe(true);
    expect(page.data).toHaveLength(3);
    const c = page.data[0];
    expect(c.object).toBe('charge');
    expect(c.id).toMatch(/^ch_[0-9A-Za-z]{24}$/);
    expect(c.currency).toMatch(/^[a-z]{3}$/);
    expect(['succeeded', 'pending', 'failed']).toContain(c.status);
    expect(c.payment_method_details?.type).toBe('card');
    expect(c.livemode).toBe(false);
    expect(page.lastResponse.requestId).toMatch(/^req_/);
  });

  it('accepts expand[] without effect', async () => {
    const page = await stripe.charges.list({ limit: 2, expand: ['data.customer'] });
    expect(page.data).toHaveLength(2);
  });

  it('retrieve returns the object the list served', async () => {
    const [first] = (await stripe.charges.list({ limit: 1 })).data;
    expect(await stripe.charges.retrieve(first.id)).toEqual(first);
  });
});

describe('subscriptions and canceled ones', () => {
  const hiddenByDefault = (s: GroundTruthEntry) =>
    s.status === 'canceled' || s.status === 'incomplete_expired';

  it('the account has canceled subscriptions (~30%)', () => {
    const canceled = truth.subscriptions.filter((s) => s.status === 'canceled').length;
    expect(canceled / truth.subscriptions.length).toBeGreaterThan(0.2);
    expect(canceled / truth.subscriptions.length).toBeLessThan(0.4);
  });

  it('default list excludes canceled (and incomplete_expired)', async () => {
    const seen = await stripe.subscriptions.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(ids(seen)).toEqual(ids(truth.subscriptions.filter((s) => !hiddenByDefault(s))));
    expect(seen.every((s) => s.status !== 'canceled')).toBe(true);
  });

  it('status=all includes every subscription', async () => {
    const seen = await stripe.subscriptions
      .list({ limit: 100, status: 'all' })
      .autoPagingToArray({ limit: 10_000 });
    expect(ids(seen)).toEqual(ids(truth.subscriptions));
  });

  it.each(['canceled', 'active', 'ended'] as const)('status=%s filters', async (status) => {
    const keep = status === 'ended' ? hiddenByDefault : (s: GroundTruthEntry) => s.status === status;
    const seen = await stripe.subscriptions.list({ limit: 33, status }).autoPagingToArray({ limit: 10_000 });
    expect(ids(seen)).toEqual(ids(truth.subscriptions.filter(keep)));
  });

  it('subscriptions carry items with a recurring price', async () => {
    const [sub] = (await stripe.subscriptions.list({ limit: 1, status: 'all' })).data;
    expect(sub.items.object).toBe('list');
    expect(sub.items.data[0].id).toMatch(/^si_/);
    expect(sub.items.data[0].price.recurring?.interval).toMatch(/^(week|month|year)$/);
    expect(typeof sub.customer).toBe('string');
  });
});

describe('products', () => {
  it('active=true|false filters and all products page through', async () => {
    const all = await stripe.products.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(ids(all)).toEqual(ids(truth.products));
    const active = await stripe.products
      .list({ limit: 100, active: true })
      .autoPagingToArray({ limit: 10_000 });
    expect(ids(active)).toEqual(ids(truth.products.filter((p) => p.active)));
    const inactive = await stripe.products
      .list({ limit: 100, active: false })
      .autoPagingToArray({ limit: 10_000 });
    expect(ids(inactive)).toEqual(ids(truth.products.filter((p) => !p.active)));
    expect(inactive.length).toBeGreaterThan(0);
  });
});

describe('determinism', () => {
  it('the same seed gives the same objects and ids', async () => {
    const spec = {
      mode: 'test' as const,
      seed: 99,
      counts: { charges: 50, products: 5, subscriptions: 10 },
      span: { from: FROM, to: TO },
    };
    const a = await emu.admin.createAccount(spec);
    const b = await emu.admin.createAccount(spec);
    expect(a.id).not.toBe(b.id);
    expect(await emu.admin.objects(a.id, 'charges')).toEqual(await emu.admin.objects(b.id, 'charges'));
    const pa = await stripeFor(emu, a.keys.secret).subscriptions.list({ limit: 100, status: 'all' });
    const pb = await stripeFor(emu, b.keys.secret).subscriptions.list({ limit: 100, status: 'all' });
    expect(pa.data).toEqual(pb.data);
  });
});
