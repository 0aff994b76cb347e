import { EVENT_RETENTION_SECONDS, type Account, type PriceEntry } from './account';
import { createdEventType } from './catalog';
import { newCollection, type Collection } from './collection';
import { idPrefix, randomId } from './ids';
import { base62, between, hashString, mix, pick, rng32, stripeId, unit, type Rng } from './random';
import { subscriptionTimes } from './render';
import {
  MUTABLE_RESOURCES,
  type AccountKeys,
  type AccountSpec,
  type MutableResource,
  type ResourceName,
  type StoredRecord,
  type SubscriptionStatus,
  type TiesSpec,
} from './types';

// Generates an account's objects from its seed. Only compact records are built here (see
// StoredRecord); the full objects are rendered when served. 270k objects take well under a second.

/** Objects per resource when the spec does not say; every other registry resource gets DEFAULT_COUNT. */
export const DEFAULT_COUNTS: Partial<Record<MutableResource, number>> = {
  charges: 100,
  products: 20,
  subscriptions: 50,
};
/** Modest, so an account costs little beyond the resources a test or the benchmark sizes. */
export const DEFAULT_COUNT = 20;
const TWO_YEARS = 2 * 365 * 86400;
// Stream numbers, so adding a resource never shifts another resource's ids. Charges, products and
// subscriptions keep the small numbers they always had (their ids must not change: tests rely on
// stable data); every other resource's stream is the hash of its name, which nothing else moves.
const STREAM = {
  charges: 1,
  products: 2,
  subscriptions: 3,
  events: 4,
  customerPool: 5,
  prices: 6,
  admin: 7,
  keys: 8,
};

function streamOf(resource: MutableResource): number {
  return resource === 'charges' || resource === 'products' || resource === 'subscriptions'
    ? STREAM[resource]
    : hashString(`resource:${resource}`);
}

export function countOf(spec: AccountSpec, resource: MutableResource): number {
  return spec.counts?.[resource] ?? DEFAULT_COUNTS[resource] ?? DEFAULT_COUNT;
}

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
  mode: AccountSpec['mode'];
  from: number;
  to: number;
  tieAt: number;
  ties: (resource: MutableResource, count: number) => number;
}

/** Objects of one resource: ids from a per-resource stream, `created` uniform over the span except the tie group. */
function generateRecords(
  ctx: GenContext,
  resource: MutableResource,
  count: number,
  extra: (rec: StoredRecord, r: Rng, i: number) => void = () => undefined,
): StoredRecord[] {
  const r = rng32(mix(ctx.seed, streamOf(resource)));
  const prefix = idPrefix(resource, ctx.mode);
  const tied = Math.min(count, ctx.ties(resource, count));
  const seen = new Set<string>();
  const out: StoredRecord[] = new Array<StoredRecord>(count);
  for (let i = 0; i < count; i++) {
    let id = randomId(prefix, resource, r);
    while (seen.has(id)) id = randomId(prefix, resource, r);
    seen.add(id);
    const created = i < tied ? ctx.tieAt : between(r, ctx.from, ctx.to);
    const rec: StoredRecord = { id, created, h: r(), ref: 0 };
    extra(rec, r, i);
    out[i] = rec;
  }
  return out;
}

/**
 * Objects of the resource on the tie second: `count` of the resource named, or without a name, of
 * every resource but at most half its objects, so its created filters still find objects around it.
 */
function tiedCount(ties: TiesSpec | undefined, resource: MutableResource, count: number): number {
  if (!ties) return 0;
  if (ties.resource) return ties.resource === resource ? ties.count : 0;
  return Math.min(ties.count, count >> 1);
}

export function generateAccount(
  spec: AccountSpec & { id: string; seed: number },
  keys: AccountKeys,
  now: number,
): Account {
  const from = spec.span?.from ?? now - TWO_YEARS;
  const to = spec.span?.to ?? now;
  const tieAt = spec.ties?.at ?? Math.floor((from + to) / 2);
  const ctx: GenContext = {
    seed: spec.seed,
    mode: spec.mode,
    from,
    to,
    tieAt,
    ties: (resource, count) => tiedCount(spec.ties, resource, count),
  };
  const canceledFraction = spec.canceledFraction ?? 0.3;

  // the customers charges and subscriptions refer to (not the customers resource's objects)
  const cr = rng32(mix(spec.seed, STREAM.customerPool));
  const customerCount = Math.max(
    10,
    Math.ceil((countOf(spec, 'charges') + countOf(spec, 'subscriptions')) / 4),
  );
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

  const products = generateRecords(ctx, 'products', countOf(spec, 'products'), (rec, r) => {
    rec.active = r() % 10 !== 0;
    rec.ref = newPrice(rec.id, rec.created);
  });
  // an account without products still needs prices for its subscriptions
  if (prices.length === 0) for (let i = 0; i < 5; i++) newPrice(stripeId('prod_', pr).slice(0, 19), from);

  const charges = generateRecords(ctx, 'charges', countOf(spec, 'charges'));
  const subscriptions = generateRecords(ctx, 'subscriptions', countOf(spec, 'subscriptions'), (rec, r) => {
    rec.status = unit(r) < canceledFraction ? 'canceled' : liveStatus(r);
    rec.ref = r() % prices.length;
  });
  const collections = { events: newCollection() } as Record<ResourceName, Collection>;
  for (const resource of MUTABLE_RESOURCES) {
    const records =
      resource === 'charges'
        ? charges
        : resource === 'products'
          ? products
          : resource === 'subscriptions'
            ? subscriptions
            : generateRecords(ctx, resource, countOf(spec, resource));
    collections[resource] = newCollection(records);
  }

  const account: Account = {
    id: spec.id,
    mode: spec.mode,
    seed: spec.seed,
    keys,
    // An explicit span fixes derived times (periods, cancellations) too: the same spec renders the same objects whenever it is created.
    generatedAt: spec.span ? Math.min(now, spec.span.to) : now,
    customers,
    prices,
    collections,
    rng: rng32(mix(spec.seed, STREAM.admin)),
    seq: 0,
  };
  account.collections.events = newCollection(generateEvents(account, now));
  return account;
}

/**
 * `*.created` events for the objects created within the event retention window, for every resource
 * whose registry entry has a `.created` event type (charges have none: Stripe announces a charge as
 * succeeded, pending or failed), plus recent subscription cancellations. Each resource's event ids
 * come from a stream of its own, like its objects'.
 */
function generateEvents(account: Account, now: number): StoredRecord[] {
  const since = now - EVENT_RETENTION_SECONDS;
  const events: StoredRecord[] = [];
  const add = (r: Rng, created: number, type: string, resource: MutableResource, record: StoredRecord) => {
    events.push({
      id: stripeId('evt_', r),
      created,
      h: r(),
      ref: 0,
      event: { type, source: { resource, record } },
    });
  };
  for (const resource of MUTABLE_RESOURCES) {
    const type = createdEventType(resource);
    if (!type) continue;
    const r = rng32(mix(account.seed, STREAM.events, hashString(resource)));
    const arr = account.collections[resource].arr;
    // the collection is sorted by created, so walk back from the newest while inside the window
    for (let i = arr.length - 1; i >= 0 && arr[i].created >= since; i--) {
      if (arr[i].created <= now) add(r, arr[i].created, type, resource, arr[i]);
    }
  }
  const r = rng32(mix(account.seed, STREAM.events));
  for (const rec of account.collections.subscriptions.arr) {
    if (rec.status !== 'canceled') continue;
    const { canceledAt } = subscriptionTimes(rec, account);
    if (canceledAt !== null && canceledAt >= since && canceledAt <= now) {
      add(r, canceledAt, 'customer.subscription.deleted', 'subscriptions', rec);
    }
  }
  return events;
}
