import { EVENT_RETENTION_SECONDS, type Account, type PriceEntry } from './account';
import { newCollection } from './collection';
import { base62, between, mix, pick, rng32, stripeId, unit, type Rng } from './random';
import { subscriptionTimes } from './render';
import type { AccountKeys, AccountSpec, MutableResource, StoredRecord, SubscriptionStatus } from './types';

// Generates an account's objects from its seed. Only compact records are built here (see
// StoredRecord); the full objects are rendered when served. 270k objects take well under a second.

export const DEFAULT_COUNTS = { charges: 100, products: 20, subscriptions: 50 };
const TWO_YEARS = 2 * 365 * 86400;
// stream numbers, so adding a resource never shifts another resource's ids
const STREAM = {
  charges: 1,
  products: 2,
  subscriptions: 3,
  events: 4,
  customers: 5,
  prices: 6,
  admin: 7,
  keys: 8,
};

export function accountKeys(accountId: string, mode: 'test' | 'live', seed: number): AccountKeys {
  const r = rng32(mix(seed, STREAM.keys, ...Array.from(accountId, (c) => c.charCodeAt(0))));
  // real keys are ~100 characters after the prefix; 99 keeps them recognisably key-shaped
  return {
    secret: `sk_${mode}_51${base62(r, 97)}`,
    restricted: `rk_${mode}_51${base62(r, 97)}`,
    restrictedNoSubscriptions: `rk_${mode}_51${base62(r, 97)}`,
  };
}

/** Non-canceled subscription statuses and their weights. */
const LIVE_STATUSES: [SubscriptionStatus, number][] = [
  ['active', 0.8],
  ['trialing', 0.08],
  ['past_due', 0.05],
  ['unpaid', 0.02],
  ['incomplete', 0.02],
  ['incomplete_expired', 0.02],
  ['paused', 0.01],
];

function liveStatus(r: Rng): SubscriptionStatus {
  let u = unit(r);
  for (const [status, w] of LIVE_STATUSES) {
    if (u < w) return status;
    u -= w;
  }
  return 'active';
}

interface GenContext {
  seed: number;
  from: number;
  to: number;
  tieAt: number;
  ties: (resource: MutableResource) => number;
}

/** Objects of one resource: ids from a per-resource stream, `created` uniform over the span except the tie group. */
function generateRecords(
  ctx: GenContext,
  resource: MutableResource,
  prefix: string,
  count: number,
  extra: (rec: StoredRecord, r: Rng, i: number) => void,
): StoredRecord[] {
  const r = rng32(mix(ctx.seed, STREAM[resource]));
  const tied = Math.min(count, ctx.ties(resource));
  const seen = new Set<string>();
  const out: StoredRecord[] = new Array<StoredRecord>(count);
  for (let i = 0; i < count; i++) {
    let id = stripeId(prefix, r);
    while (seen.has(id)) id = stripeId(prefix, r);
    seen.add(id);
    const created = i < tied ? ctx.tieAt : between(r, ctx.from, ctx.to);
    const rec: StoredRecord = { id, created, h: r(), ref: 0 };
    extra(rec, r, i);
    out[i] = rec;
  }
  return out;
}

export function generateAccount(
  spec: AccountSpec & { id: string; seed: number },
  keys: AccountKeys,
  now: number,
): Account {
  const counts = { ...DEFAULT_COUNTS, ...spec.counts };
  const from = spec.span?.from ?? now - TWO_YEARS;
  const to = spec.span?.to ?? now;
  const tieAt = spec.ties?.at ?? Math.floor((from + to) / 2);
  const ctx: GenContext = {
    seed: spec.seed,
    from,
    to,
    tieAt,
    ties: (resource) =>
      spec.ties && (!spec.ties.resource || spec.ties.resource === resource) ? spec.ties.count : 0,
  };
  const canceledFraction = spec.canceledFraction ?? 0.3;

  const cr = rng32(mix(spec.seed, STREAM.customers));
  const customerCount = Math.max(10, Math.ceil((counts.charges + counts.subscriptions) / 4));
  const customers = Array.from({ length: customerCount }, () => stripeId('cus_', cr).slice(0, 18));

  const prices: PriceEntry[] = [];
  const pr = rng32(mix(spec.seed, STREAM.prices));
  const newPrice = (product: string, created: number): number => {
    prices.push({
      id: stripeId('price_', pr),
      product,
      unitAmount: between(pr, 1, 300) * 100 - (pr() % 2 === 0 ? 1 : 0),
      currency: pick(pr, ['usd', 'usd', 'usd', 'eur', 'gbp']),
      interval: pick(pr, ['month', 'month', 'month', 'year', 'week'] as const),
      created,
    });
    return prices.length - 1;
  };

  const products = generateRecords(ctx, 'products', 'prod_', counts.products, (rec, r) => {
    rec.active = r() % 10 !== 0;
    rec.ref = newPrice(rec.id, rec.created);
  });
  // an account without products still needs prices for its subscriptions
  if (prices.length === 0) for (let i = 0; i < 5; i++) newPrice(stripeId('prod_', pr).slice(0, 19), from);

  const charges = generateRecords(ctx, 'charges', 'ch_', counts.charges, () => undefined);
  const subscriptions = generateRecords(ctx, 'subscriptions', 'sub_', counts.subscriptions, (rec, r) => {
    rec.status = unit(r) < canceledFraction ? 'canceled' : liveStatus(r);
    rec.ref = r() % prices.length;
  });

  const account: Account = {
    id: spec.id,
    mode: spec.mode,
    seed: spec.seed,
    keys,
    generatedAt: now,
    customers,
    prices,
    collections: {
      charges: newCollection(charges),
      products: newCollection(products),
      subscriptions: newCollection(subscriptions),
      events: newCollection(),
    },
    rng: rng32(mix(spec.seed, STREAM.admin)),
    seq: 0,
  };
  account.collections.events = newCollection(generateEvents(account, now));
  return account;
}

/** `*.created` events for the objects created within the event retention window, plus recent cancellations. */
function generateEvents(account: Account, now: number): StoredRecord[] {
  const r = rng32(mix(account.seed, STREAM.events));
  const since = now - EVENT_RETENTION_SECONDS;
  const events: StoredRecord[] = [];
  const add = (created: number, type: string, resource: MutableResource, record: StoredRecord) => {
    events.push({
      id: stripeId('evt_', r),
      created,
      h: r(),
      ref: 0,
      event: { type, source: { resource, record } },
    });
  };
  const types = { charges: 'charge', products: 'product', subscriptions: 'customer.subscription' } as const;
  for (const resource of ['charges', 'products', 'subscriptions'] as const) {
    const arr = account.collections[resource].arr;
    // the collection is sorted by created, so walk back from the newest while inside the window
    for (let i = arr.length - 1; i >= 0 && arr[i].created >= since; i--) {
      if (arr[i].created <= now) add(arr[i].created, `${types[resource]}.created`, resource, arr[i]);
    }
  }
  for (const rec of account.collections.subscriptions.arr) {
    if (rec.status !== 'canceled') continue;
    const { canceledAt } = subscriptionTimes(rec, account);
    if (canceledAt !== null && canceledAt >= since && canceledAt <= now) {
      add(canceledAt, 'customer.subscription.deleted', 'subscriptions', rec);
    }
  }
  return events;
}
