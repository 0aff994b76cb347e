import Stripe from 'stripe';
import {
  DEMO_ACCOUNT_ID,
  startEmulator,
  type AccountInfo,
  type RunningEmulator,
} from '../../dev/stripe-emulator';
import { caught, rawGet, stripeFor } from './helpers';

// The admin API: mutations write Stripe's events, counters count, config and reset behave, and the
// demo account is what the state file promises.

let emu: RunningEmulator;
let acct: AccountInfo;
let stripe: Stripe;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rateLimits: { enabled: false }, demo: true });
  acct = await emu.admin.createAccount({
    mode: 'test',
    seed: 21,
    counts: { charges: 50, products: 10, subscriptions: 20 },
  });
  stripe = stripeFor(emu, acct.keys.secret);
});

afterAll(() => emu.close());

async function latestEvents(n: number): Promise<Stripe.Event[]> {
  return (await stripe.events.list({ limit: n })).data;
}

describe('mutations write events', () => {
  it('product created, updated, deleted', async () => {
    const created = await emu.admin.createObject(acct.id, 'products', {
      name: 'Widget',
      metadata: { tier: 'gold' },
    });
    expect(created).toMatchObject({
      object: 'product',
      name: 'Widget',
      active: true,
      metadata: { tier: 'gold' },
    });
    expect(created.id).toMatch(/^prod_/);

    const updated = await emu.admin.updateObject(acct.id, 'products', created.id, {
      name: 'Widget 2',
      metadata: { color: 'red' },
    });
    expect(updated).toMatchObject({ name: 'Widget 2', metadata: { tier: 'gold', color: 'red' } });
    expect(await stripe.products.retrieve(created.id)).toMatchObject({ name: 'Widget 2' });

    const deleted = await emu.admin.deleteObject(acct.id, 'products', created.id);
    expect(deleted).toEqual({ id: created.id, object: 'product', deleted: true });
    await expect(caught(stripe.products.retrieve(created.id))).resolves.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });

    const [del, upd, cre] = await latestEvents(3);
    expect([cre.type, upd.type, del.type]).toEqual(['product.created', 'product.updated', 'product.deleted']);
    expect((cre.data.object as Stripe.Product).id).toBe(created.id);
    expect((upd.data.object as Stripe.Product).name).toBe('Widget 2');
    expect(upd.data.previous_attributes).toMatchObject({ name: 'Widget', metadata: { tier: 'gold' } });
    expect(del.id).toMatch(/^evt_[0-9A-Za-z]{24}$/);
    expect(del.created).toBeGreaterThanOrEqual(cre.created);
  });

  it('subscription created in the past, then canceled: stays listed under status=all', async () => {
    const created = 1_700_000_000;
    const sub = await emu.admin.createObject(acct.id, 'subscriptions', { created, status: 'active' });
    expect(sub).toMatchObject({ object: 'subscription', status: 'active', created });

    const canceled = await emu.admin.deleteObject(acct.id, 'subscriptions', sub.id);
    expect(canceled).toMatchObject({ id: sub.id, status: 'canceled' });
    expect(canceled.canceled_at).toEqual(expect.any(Number));

    const all = await stripe.subscriptions.list({ status: 'all', created, limit: 100 });
    expect(all.data.map((s) => s.id)).toContain(sub.id);
    const def = await stripe.subscriptions.list({ created, limit: 100 });
    expect(def.data.map((s) => s.id)).not.toContain(sub.id);

    const [deletedEvt, createdEvt] = await latestEvents(2);
    expect(createdEvt.type).toBe('customer.subscription.created');
    expect(deletedEvt.type).toBe('customer.subscription.deleted');
    expect((deletedEvt.data.object as Stripe.Subscription).status).toBe('canceled');
    const truth = await emu.admin.objects(acct.id, 'subscriptions');
    expect(truth.find((s) => s.id === sub.id)).toEqual({ id: sub.id, created, status: 'canceled' });
  });

  it('charge created with an id and created time lands at its place in the list; update writes charge.updated', async () => {
    const truth = await emu.admin.objects(acct.id, 'charges');
    const middle = truth[20];
    const ch = await emu.admin.createObject(acct.id, 'charges', {
      id: 'ch_emulatortest000000000001',
      created: middle.created,
      amount: 4242,
    });
    expect(ch).toMatchObject({ id: 'ch_emulatortest000000000001', amount: 4242, created: middle.created });
    const after = (await emu.admin.objects(acct.id, 'charges')).map((c) => c.id);
    expect(after).toHaveLength(truth.length + 1);
    const listed = await stripe.charges.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(listed.map((c) => c.id)).toEqual(after);

    const updated = await emu.admin.updateObject(acct.id, 'charges', ch.id, { description: 'ünïcödé ✓' });
    expect(updated.description).toBe('ünïcödé ✓');
    expect((await stripe.charges.retrieve(ch.id)).description).toBe('ünïcödé ✓');
    const [evt] = await latestEvents(1);
    expect(evt.type).toBe('charge.updated');
    expect(evt.data.previous_attributes).toHaveProperty('description');
  });

  it('events can be filtered by type, with wildcards', async () => {
    const subs = await stripe.events.list({ type: 'customer.subscription.*', limit: 100 });
    expect(subs.data.length).toBeGreaterThan(0);
    expect(subs.data.every((e) => e.type.startsWith('customer.subscription.'))).toBe(true);
    const two = await stripe.events.list({ types: ['product.created', 'product.deleted'], limit: 100 });
    expect(new Set(two.data.map((e) => e.type))).toEqual(new Set(['product.created', 'product.deleted']));
  });

  it('admin errors: unknown account, unknown object, duplicate id', async () => {
    await expect(emu.admin.objects('acct_nope', 'charges')).rejects.toMatchObject({ status: 404 });
    await expect(emu.admin.updateObject(acct.id, 'charges', 'ch_nope', {})).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      emu.admin.createObject(acct.id, 'charges', { id: 'ch_emulatortest000000000001' }),
    ).rejects.toMatchObject({ status: 409 });
    await expect(emu.admin.createAccount({ mode: 'sandbox' as 'test' })).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('counters', () => {
  it('count requests by endpoint and status, objects served and peak concurrency', async () => {
    const a = await emu.admin.createAccount({
      mode: 'test',
      seed: 22,
      counts: { charges: 30, products: 3, subscriptions: 3 },
    });
    const s = stripeFor(emu, a.keys.secret);
    await Promise.all([
      s.charges.list({ limit: 10 }),
      s.charges.list({ limit: 5 }),
      s.products.list({ limit: 2 }),
    ]);
    const [one] = (await s.charges.list({ limit: 1 })).data;
    await s.charges.retrieve(one.id);
    await caught(s.charges.list({ limit: 0 }));
    const c = await emu.admin.counters(a.id);
    expect(c.requests).toEqual({
      'charges.list': { '200': 3, '400': 1 },
      'products.list': { '200': 1 },
      'charges.retrieve': { '200': 1 },
    });
    expect(c.total).toBe(6);
    expect(c.objectsServed).toBe(10 + 5 + 2 + 1 + 1);
    expect(c.maxConcurrent).toBeGreaterThanOrEqual(1);
    expect(c.rateLimited).toBe(0);
    // Second by second: every request lands in one bucket; the four cursorless lists are first pages.
    const sum = (k: 'requests' | 'objects' | 'firstPages') => c.timeline.reduce((n, t) => n + t[k], 0);
    expect(sum('requests')).toBe(6);
    expect(sum('objects')).toBe(c.objectsServed);
    expect(sum('firstPages')).toBe(4);

    const all = await emu.admin.counters();
    expect(all.total).toBeGreaterThanOrEqual(c.total);
    await rawGet(`${emu.url}/v1/charges`); // unauthenticated: counted in the totals only
    expect((await emu.admin.counters()).total).toBe(all.total + 1);

    await emu.admin.resetCounters(a.id);
    expect(await emu.admin.counters(a.id)).toEqual({
      requests: {},
      total: 0,
      rateLimited: 0,
      objectsServed: 0,
      maxConcurrent: 0,
      timeline: [],
    });
  });
});

describe('config', () => {
  it('PUT merges a partial config and returns the whole', async () => {
    const cfg = await emu.admin.setConfig({ latency: { jitterMs: 3 }, concurrencyLimit: 7 });
    expect(cfg).toEqual({
      latency: { baseMs: 0, perObjectMs: 0, jitterMs: 3 },
      rateLimits: { enabled: false, globalTest: 25, globalLive: 100, perEndpoint: 25 },
      concurrencyLimit: 7,
    });
    const back = await emu.admin.setConfig({ latency: { jitterMs: 0 }, concurrencyLimit: null });
    expect(back.concurrencyLimit).toBeNull();
    await expect(emu.admin.setConfig({ latency: { baseMs: -1 } })).rejects.toMatchObject({ status: 400 });
  });
});

describe('demo account and reset', () => {
  it('the demo account has fixed keys, modest size, ties and ~30% canceled subscriptions', async () => {
    expect(emu.demo).toMatchObject({ url: emu.url, account: DEMO_ACCOUNT_ID, mode: 'test' });
    const summary = await emu.admin.getAccount(DEMO_ACCOUNT_ID);
    expect(summary.keys).toEqual(emu.demo?.keys);
    expect(summary.counts).toMatchObject({ charges: 2000, products: 300, subscriptions: 500 });
    const subs = await emu.admin.objects(DEMO_ACCOUNT_ID, 'subscriptions');
    const canceled = subs.filter((x) => x.status === 'canceled').length / subs.length;
    expect(canceled).toBeGreaterThan(0.25);
    expect(canceled).toBeLessThan(0.35);
    const charges = await emu.admin.objects(DEMO_ACCOUNT_ID, 'charges');
    const perSecond = new Map<number, number>();
    for (const c of charges) perSecond.set(c.created, (perSecond.get(c.created) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeGreaterThanOrEqual(100);
    const demo = stripeFor(emu, summary.keys.restricted);
    expect((await demo.charges.list({ limit: 100 })).data).toHaveLength(100);
  });

  it('reset drops every account but recreates the demo one', async () => {
    const before = await emu.admin.objects(DEMO_ACCOUNT_ID, 'charges');
    await emu.admin.reset();
    const accounts = await emu.admin.listAccounts();
    expect(accounts.map((a) => a.id)).toEqual([DEMO_ACCOUNT_ID]);
    expect((await emu.admin.objects(DEMO_ACCOUNT_ID, 'charges')).map((c) => c.id)).toEqual(
      before.map((c) => c.id),
    );
    await expect(caught(stripe.charges.list())).resolves.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
  });

  it('health', async () => {
    expect(await emu.admin.health()).toEqual({ ok: true });
  });
});
