import {
  startEmulator,
  type AccountInfo,
  type GroundTruthEntry,
  type RunningEmulator,
} from '../../dev/stripe-emulator';
import { fixtureObject } from '../../dev/stripe-emulator/fixtures';
import { RESOURCES, RESOURCE_NAMES, type ResourceName } from '../../stripe/resources';
import { bearer, rawGet, stripeFor } from './helpers';

// Every resource of the product's registry (stripe/resources.ts) is served from its entry alone: the
// list at the registry's path pages completely in Stripe's order (across a second shared by many
// objects), in the registry's object type, with created filters exactly where the registry says;
// retrieval, the restricted-key 403 naming the registry's permission, and the events admin
// mutations write. A resource added to the registry is covered here with no test change.

const FROM = 1_600_000_000;
const TO = 1_700_000_000;
const TIE = 1_650_000_000;
const COUNT = 230;
const TIED = 110;

let emu: RunningEmulator;
let acct: AccountInfo;
const truth = {} as Record<ResourceName, GroundTruthEntry[]>;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rateLimits: { enabled: false } });
  acct = await emu.admin.createAccount({
    mode: 'test',
    seed: 31,
    counts: Object.fromEntries(RESOURCE_NAMES.map((r) => [r, COUNT])),
    span: { from: FROM, to: TO },
    // no resource named: every resource gets the tie group
    ties: { count: TIED, at: TIE },
  });
  for (const r of RESOURCE_NAMES) truth[r] = await emu.admin.objects(acct.id, r);
});

afterAll(() => emu.close());

type Obj = Record<string, unknown> & { id: string; object: string };
interface Page {
  object: string;
  data: Obj[];
  has_more: boolean;
  url: string;
}

async function get<T>(path: string, params: Record<string, string> = {}, key = acct.keys.secret) {
  const qs = new URLSearchParams(params).toString();
  const res = await rawGet(`${emu.url}${path}${qs ? `?${qs}` : ''}`, bearer(key));
  return { status: res.status, json: JSON.parse(res.body) as T };
}

/** Every object of a list, following starting_after as stripe-node's auto-pagination does. */
async function walk(path: string, params: Record<string, string>, key = acct.keys.secret): Promise<Obj[]> {
  const all: Obj[] = [];
  for (let after: string | undefined; ;) {
    const { status, json } = await get<Page>(
      path,
      { ...params, ...(after && { starting_after: after }) },
      key,
    );
    expect(status).toBe(200);
    all.push(...json.data);
    if (!json.has_more) return all;
    after = json.data[json.data.length - 1].id;
  }
}

const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe.each(RESOURCE_NAMES)('%s', (name) => {
  const spec = RESOURCES[name];
  const fixture = fixtureObject(spec.object);
  const list = (params: Record<string, string> = {}) => walk(spec.path, { ...spec.listParams, ...params });

  it('lists every object once, newest first, in the registry object type', async () => {
    const objects = await list({ limit: '100' });
    expect(objects).toHaveLength(COUNT);
    expect(ids(objects)).toEqual(ids(truth[name]));
    const first = await get<Page>(spec.path, { ...spec.listParams, limit: '1' });
    expect(first.json).toMatchObject({ object: 'list', url: spec.path, has_more: true });
    objects.forEach((o, i) => {
      expect(o.object).toBe(spec.object);
      // the time is in the registry's createdField when Stripe's object has one (payment links have none)
      if (spec.createdField in fixture) expect(o[spec.createdField]).toBe(truth[name][i].created);
      else expect(o).not.toHaveProperty(spec.createdField);
      if ('livemode' in fixture) expect(o.livemode).toBe(false);
    });
    expect(new Set(ids(objects)).size).toBe(COUNT);
  });

  it('pages through the tie group with small pages', async () => {
    const tied = truth[name].filter((t) => t.created === TIE);
    expect(tied.length).toBeGreaterThanOrEqual(TIED);
    expect(ids(await list({ limit: '7' }))).toEqual(ids(truth[name]));
  });

  if (spec.createdFilter) {
    it('created filters select exactly, inside the tie group too', async () => {
      const keep = (f: (t: number) => boolean) => ids(truth[name].filter((x) => f(x.created)));
      expect(ids(await list({ limit: '25', 'created[gte]': `${TIE}`, 'created[lte]': `${TIE}` }))).toEqual(
        keep((t) => t === TIE),
      );
      expect(ids(await list({ limit: '100', created: `${TIE}` }))).toEqual(keep((t) => t === TIE));
      expect(ids(await list({ limit: '100', 'created[lt]': `${TIE}` }))).toEqual(keep((t) => t < TIE));
      expect(ids(await list({ limit: '100', 'created[gt]': `${TIE}` }))).toEqual(keep((t) => t > TIE));
    });
  } else {
    it.each<Record<string, string>>([{ created: `${TIE}` }, { 'created[gte]': `${TIE}` }])(
      'refuses created (%o) as an unknown parameter',
      async (params) => {
        const res = await get<{ error: Record<string, string> }>(spec.path, params);
        expect(res.status).toBe(400);
        expect(res.json.error).toMatchObject({
          type: 'invalid_request_error',
          code: 'parameter_unknown',
          param: 'created',
          message: 'Received unknown parameter: created',
        });
      },
    );
  }

  it('retrieves by id what the list served; an unknown id is a 404', async () => {
    const [o] = (await get<Page>(spec.path, { ...spec.listParams, limit: '1' })).json.data;
    const one = await get<Obj>(`${spec.path}/${o.id}`);
    expect(one).toEqual({ status: 200, json: o });
    const missing = await get<{ error: Record<string, string> }>(`${spec.path}/nope_123`);
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({
      code: 'resource_missing',
      param: 'id',
      message: `No such ${spec.object}: 'nope_123'`,
    });
  });

  it(`a restricted key without ${spec.permission} gets the 403 naming it`, async () => {
    const everyOther = [...new Set(RESOURCE_NAMES.map((r) => RESOURCES[r].permission))].filter(
      (p) => p !== spec.permission,
    );
    const { key } = await emu.admin.createRestrictedKey(acct.id, [...everyOther, 'rak_event_read']);
    const denied = await get<{ error: Record<string, string> }>(spec.path, spec.listParams, key);
    expect(denied.status).toBe(403);
    expect(denied.json.error.type).toBe('invalid_request_error');
    expect(denied.json.error.message).toContain(
      `Having the '${spec.permission}' permission would allow this request to continue.`,
    );
    const { key: only } = await emu.admin.createRestrictedKey(acct.id, [spec.permission]);
    expect((await get(spec.path, spec.listParams, only)).status).toBe(200);
    // the account's fixed restricted key reads every resource
    expect((await get(spec.path, spec.listParams, acct.keys.restricted)).status).toBe(200);
  });
});

describe('the fixed restricted keys', () => {
  it('restrictedNoSubscriptions reads every resource but those rak_subscription_read grants', async () => {
    for (const name of RESOURCE_NAMES) {
      const spec = RESOURCES[name];
      const res = await get(spec.path, spec.listParams, acct.keys.restrictedNoSubscriptions);
      expect({ name, status: res.status }).toEqual({
        name,
        status: spec.permission === 'rak_subscription_read' ? 403 : 200,
      });
    }
  });
});

describe('admin mutations write the registry events', () => {
  let mut: AccountInfo;

  beforeAll(async () => {
    // in the past: no generated events, so every event is one a mutation wrote
    mut = await emu.admin.createAccount({
      mode: 'test',
      seed: 32,
      counts: Object.fromEntries(RESOURCE_NAMES.map((r) => [r, 5])),
      span: { from: FROM, to: TO },
    });
    expect(await emu.admin.objects(mut.id, 'events')).toEqual([]);
  });

  /** The newest events, newest first (admin-written events order by creation even within a second). */
  async function eventsSince(before: number): Promise<Obj[]> {
    const all = await emu.admin.objects(mut.id, 'events');
    const fresh = all.slice(0, all.length - before);
    return Promise.all(
      fresh.map(async (e) => (await get<Obj>(`/v1/events/${e.id}`, {}, mut.keys.secret)).json),
    );
  }

  const natural = (types: readonly string[], suffix: string) =>
    types.find((t) => t.endsWith(suffix)) ?? types[0];

  it.each(RESOURCE_NAMES)('%s', async (name) => {
    const spec = RESOURCES[name];
    const { changed, deleted } = spec.events;
    const retrieve = (id: string) => get<Obj>(`${spec.path}/${id}`, {}, mut.keys.secret);
    let before = (await emu.admin.objects(mut.id, 'events')).length;

    // create: the `.created` type, else the first changed type, else no event
    const created = await emu.admin.createObject(mut.id, name, { metadata: { step: 'create' } });
    expect(created.object).toBe(spec.object);
    expect((await retrieve(created.id)).json).toEqual(created);
    expect(ids(await emu.admin.objects(mut.id, name))).toContain(created.id);
    let events = await eventsSince(before);
    if (changed.length === 0) expect(events).toEqual([]);
    else {
      expect(events.map((e) => e.type)).toEqual([natural(changed, '.created')]);
      expect((events[0].data as { object: Obj }).object).toEqual(created);
    }

    // update: the `.updated` type (a subscription's too), else the first changed type
    before += events.length;
    const updated = await emu.admin.updateObject(mut.id, name, created.id, { metadata: { step: 'update' } });
    expect(updated.metadata).toMatchObject({ step: 'update' });
    events = await eventsSince(before);
    if (changed.length === 0) expect(events).toEqual([]);
    else {
      expect(events.map((e) => e.type)).toEqual([natural(changed, '.updated')]);
      const data = events[0].data as { object: Obj; previous_attributes: Obj };
      expect(data.object).toEqual(updated);
      // products also move `updated`
      expect(data.previous_attributes).toMatchObject({ metadata: { step: 'create' } });
    }

    // delete: see deleteObject in store.ts
    before += events.length;
    if (name === 'subscriptions') {
      const canceled = await emu.admin.deleteObject(mut.id, name, created.id);
      expect(canceled).toMatchObject({ id: created.id, status: 'canceled' });
      expect((await eventsSince(before)).map((e) => e.type)).toEqual(['customer.subscription.deleted']);
      expect((await retrieve(created.id)).status).toBe(200);
    } else if (deleted.length > 0 || name === 'charges') {
      const gone = await emu.admin.deleteObject(mut.id, name, created.id);
      expect(gone).toEqual({ id: created.id, object: spec.object, deleted: true });
      expect((await retrieve(created.id)).status).toBe(404);
      expect(ids(await emu.admin.objects(mut.id, name))).not.toContain(created.id);
      events = await eventsSince(before);
      expect(events.map((e) => e.type)).toEqual(deleted.slice(0, 1));
      if (deleted.length > 0) expect((events[0].data as { object: Obj }).object).toEqual(updated);
    } else {
      await expect(emu.admin.deleteObject(mut.id, name, created.id)).rejects.toMatchObject({ status: 400 });
      expect((await retrieve(created.id)).status).toBe(200);
      expect(await eventsSince(before)).toEqual([]);
    }
  });

  it('an object created with a time lands at its place; invoice items take it as `date` too', async () => {
    const at = TIE + 12345;
    const ii = await emu.admin.createObject(mut.id, 'invoiceitems', { date: at });
    expect(ii.date).toBe(at);
    expect(ii).not.toHaveProperty('created');
    const cs = await emu.admin.createObject(mut.id, 'checkout_sessions', { created: at });
    expect(cs.created).toBe(at);
    expect(cs.id).toMatch(/^cs_test_/);
    const page = await get<Page>('/v1/checkout/sessions', { created: `${at}` }, mut.keys.secret);
    expect(ids(page.json.data)).toEqual([cs.id]);
  });
});

describe('generated accounts', () => {
  it('have a *.created event for each recent object of every resource with such a type', async () => {
    const now = Math.floor(Date.now() / 1000);
    const recent = await emu.admin.createAccount({
      mode: 'live',
      seed: 33,
      counts: Object.fromEntries(RESOURCE_NAMES.map((r) => [r, 15])),
      // inside the 30-day retention: every object has its creation event
      span: { from: now - 20 * 86400, to: now - 86400 },
    });
    const all = await walk('/v1/events', { limit: '100' }, recent.keys.secret);
    for (const name of RESOURCE_NAMES) {
      const spec = RESOURCES[name];
      const type = spec.events.changed.find((t) => t.endsWith('.created'));
      const about = all.filter((e) => (e.data as { object: Obj }).object.object === spec.object);
      const expected = type ? ids(await emu.admin.objects(recent.id, name)) : [];
      const creations = about.filter((e) => e.type === type);
      expect({ name, ids: ids(creations.map((e) => (e.data as { object: Obj }).object)).sort() }).toEqual({
        name,
        ids: [...expected].sort(),
      });
      if (creations.length > 0) {
        const obj = (creations[0].data as { object: Obj }).object;
        expect(obj).toEqual((await get<Obj>(`${spec.path}/${obj.id}`, {}, recent.keys.secret)).json);
        expect(obj.livemode ?? true).toBe(true);
      }
    }
  });

  it('default to 20 objects of every resource (charges 100, products 20, subscriptions 50)', async () => {
    const a = await emu.admin.createAccount({ mode: 'test', seed: 34 });
    const { counts } = await emu.admin.getAccount(a.id);
    for (const name of RESOURCE_NAMES) {
      const want = ({ charges: 100, subscriptions: 50 } as Record<string, number>)[name] ?? 20;
      expect({ name, count: counts[name] }).toEqual({ name, count: want });
    }
  });

  it("a resource's ids depend only on the seed and that resource's own count", async () => {
    const base = { mode: 'test' as const, seed: 35, span: { from: FROM, to: TO } };
    const a = await emu.admin.createAccount({ ...base, counts: { customers: 12 } });
    const b = await emu.admin.createAccount({
      ...base,
      counts: { customers: 12, charges: 0, invoices: 300, payment_links: 1 },
      ties: { count: 5, resource: 'invoices' },
    });
    for (const name of ['customers', 'checkout_sessions', 'quotes'] as const) {
      expect(await emu.admin.objects(b.id, name)).toEqual(await emu.admin.objects(a.id, name));
    }
  });

  it('the admin API refuses counts or ties for a resource the registry lacks', async () => {
    await expect(
      emu.admin.createAccount({ mode: 'test', counts: { widgets: 3 } as unknown as { charges: number } }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      emu.admin.createAccount({ mode: 'test', ties: { count: 3, resource: 'widgets' as 'charges' } }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(emu.admin.objects(acct.id, 'widgets' as 'charges')).rejects.toMatchObject({ status: 404 });
  });
});

describe('endpoints, faults and limits by registry name', () => {
  it('counts requests as <name>.list and <name>.retrieve', async () => {
    const a = await emu.admin.createAccount({ mode: 'test', seed: 36 });
    for (const name of RESOURCE_NAMES) {
      const spec = RESOURCES[name];
      const [o] = (await get<Page>(spec.path, { limit: '1', ...spec.listParams }, a.keys.secret)).json.data;
      await get(`${spec.path}/${o.id}`, {}, a.keys.secret);
    }
    const { requests } = await emu.admin.counters(a.id);
    for (const name of RESOURCE_NAMES) {
      expect(requests[`${name}.list`]).toEqual({ '200': 1 });
      expect(requests[`${name}.retrieve`]).toEqual({ '200': 1 });
    }
  });

  it('a fault aimed at checkout_sessions.list hits that endpoint only', async () => {
    await emu.admin.addFault({ kind: 'server_error', endpoint: 'checkout_sessions.list', count: 1 });
    try {
      const stripe = stripeFor(emu, acct.keys.secret);
      await expect(stripe.customers.list({ limit: 1 })).resolves.toBeDefined();
      await expect(stripe.checkout.sessions.list({ limit: 1 })).rejects.toMatchObject({ statusCode: 500 });
      await expect(stripe.checkout.sessions.list({ limit: 1 })).resolves.toBeDefined();
    } finally {
      await emu.admin.clearFaults();
    }
  });

  it('the per-endpoint limit counts each resource on its own', async () => {
    const a = await emu.admin.createAccount({ mode: 'test', seed: 37 });
    await emu.admin.setConfig({ rateLimits: { enabled: true, perEndpoint: 3, globalTest: 50 } });
    try {
      const statuses = async (path: string, n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push((await get(path, { limit: '1' }, a.keys.secret)).status);
        return out;
      };
      expect(await statuses('/v1/checkout/sessions', 4)).toEqual([200, 200, 200, 429]);
      expect(await statuses('/v1/invoiceitems', 3)).toEqual([200, 200, 200]);
      expect((await emu.admin.counters(a.id)).requests['checkout_sessions.list']).toEqual({
        '200': 3,
        '429': 1,
      });
    } finally {
      await emu.admin.setConfig({ rateLimits: { enabled: false, perEndpoint: 25, globalTest: 25 } });
    }
  });

  it('stripe-node pages a two-segment path and reads invoice items by date', async () => {
    const stripe = stripeFor(emu, acct.keys.secret);
    const sessions = await stripe.checkout.sessions.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(ids(sessions)).toEqual(ids(truth.checkout_sessions));
    const items = await stripe.invoiceItems
      .list({ limit: 100, created: { gte: TIE, lte: TIE } })
      .autoPagingToArray({ limit: 10_000 });
    expect(ids(items)).toEqual(ids(truth.invoiceitems.filter((t) => t.created === TIE)));
    expect(items.every((i) => i.date === TIE)).toBe(true);
  });
});
