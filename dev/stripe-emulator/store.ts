import { type Account } from './account';
import { creationEvent, deletionEvent, SERVED, updateEvent } from './catalog';
import { insertRecord, moveRecord, removeRecord } from './collection';
import { accountKeys, generateAccount } from './data';
import { ID_SHAPES, idPrefix } from './ids';
import { asciiJson, mergeFields, type JsonObject } from './json';
import { base62, base62Fixed, between, hashString, mix, pick, rng32, stripeId } from './random';
import { renderObject, renderParsed } from './render';
import {
  SUBSCRIPTION_STATUSES,
  type AccountInfo,
  type AccountSpec,
  type MutableResource,
  type ResourceName,
  type StoredRecord,
  type SubscriptionStatus,
} from './types';

// All accounts of one emulator and the admin-side mutations of their objects. Every mutation also
// writes the event Stripe would emit, with the types the registry lists for the resource (see
// catalog.ts), so event-driven sync can be tested against it.

export type KeyKind = 'secret' | 'restricted' | 'restrictedNoSubscriptions';

export interface HeldKey {
  account: Account;
  kind: KeyKind;
  grants?: ReadonlySet<string>;
}

export interface Store {
  accounts: Map<string, Account>;
  /** API key → its account and kind; `grants` are the read permissions of a key made with addRestrictedKey */
  keys: Map<string, HeldKey>;
}

export function newStore(): Store {
  return { accounts: new Map(), keys: new Map() };
}

export { nowSeconds } from './clock';
import { nowSeconds } from './clock';

/** Admin-API failures: plain JSON `{ error: { message } }` with this status. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function freeAccountId(store: Store, seed: number, mode: string): string {
  for (let n = 0; ; n++) {
    const id = 'acct_' + base62(rng32(mix(seed, hashString(mode), n)), 16);
    if (!store.accounts.has(id)) return id;
  }
}

/**
 * Creates (or, for an existing id, replaces) an account. Without an id, the id derives from the seed
 * and never collides with an existing account, so independent tests using the same seed don't clash.
 */
export function createAccount(
  store: Store,
  spec: AccountSpec,
  opts: { now?: number; keys?: AccountInfo['keys'] } = {},
): Account {
  const seed = spec.seed ?? (spec.id ? hashString(spec.id) : 1);
  const id = spec.id ?? freeAccountId(store, seed, spec.mode);
  deleteAccount(store, id);
  const keys = opts.keys ?? accountKeys(id, spec.mode, seed);
  const account = generateAccount({ ...spec, id, seed }, keys, opts.now ?? nowSeconds());
  store.accounts.set(id, account);
  for (const kind of ['secret', 'restricted', 'restrictedNoSubscriptions'] as const) {
    store.keys.set(keys[kind], { account, kind });
  }
  return account;
}

export function deleteAccount(store: Store, id: string): boolean {
  const old = store.accounts.get(id);
  if (!old) return false;
  for (const [key, held] of store.keys) if (held.account === old) store.keys.delete(key);
  store.accounts.delete(id);
  return true;
}

/**
 * A further restricted key of the account, holding exactly these read permissions (as the registry
 * names them, plus rak_event_read): lets a test meet the 403 of any resource.
 */
export function addRestrictedKey(store: Store, account: Account, permissions: readonly string[]): string {
  const key = `rk_${account.mode}_51${base62(account.rng, 97)}`;
  store.keys.set(key, { account, kind: 'restricted', grants: new Set(permissions) });
  return key;
}

export function accountInfo(a: Account): AccountInfo {
  return { id: a.id, mode: a.mode, keys: a.keys };
}

export function requireAccount(store: Store, id: string): Account {
  const a = store.accounts.get(id);
  if (!a) throw new AdminError(404, `No such account: ${id}`);
  return a;
}

/** `{ data: [{ id, created }] }` of every object, newest first: the ground truth tests compare lists against. */
export function groundTruthJson(account: Account, resource: ResourceName): string {
  const arr = account.collections[resource].arr;
  const parts: string[] = new Array<string>(arr.length);
  for (let i = arr.length - 1, j = 0; i >= 0; i--, j++) {
    const r = arr[i];
    const extra =
      r.status !== undefined
        ? `,"status":"${r.status}"`
        : r.active !== undefined
          ? `,"active":${r.active}`
          : '';
    parts[j] = `{"id":"${r.id}","created":${r.created}${extra}}`;
  }
  return `{"data":[${parts.join(',')}]}`;
}

/**
 * Id of an object or event made through the admin API: a per-account sequence number then random
 * characters. Lists order a second's objects by id, so things created in the same second list in
 * the order they happened (an update's event after the create's), as one would expect from Stripe.
 */
function nextId(account: Account, prefix: string, length = 24): string {
  return prefix + base62Fixed(account.seq++, 8) + base62(account.rng, Math.max(8, length - 8));
}

/** Writes the event, unless the registry lists no event type for the change (`type` null). */
function addEvent(
  account: Account,
  type: string | null,
  snapshot: string,
  now: number,
  previous?: JsonObject,
): void {
  if (type === null) return;
  const rec: StoredRecord = {
    id: nextId(account, 'evt_'),
    created: now,
    h: account.rng(),
    ref: 0,
    event: { type, snapshot, previousAttributes: previous ? asciiJson(previous) : undefined },
  };
  insertRecord(account.collections.events, rec);
}

function asStatus(v: unknown): SubscriptionStatus {
  if (typeof v === 'string' && (SUBSCRIPTION_STATUSES as readonly string[]).includes(v))
    return v as SubscriptionStatus;
  throw new AdminError(400, `status must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`);
}

function asCreated(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw new AdminError(400, 'created must be a non-negative integer (unix seconds)');
}

/**
 * Splits the body into record-level fields and the rest (which becomes overrides). The time is
 * `created`, or the resource's own createdField (`date` on invoice items); `status` is a record field
 * of subscriptions only and `active` of products only (list filters read them), elsewhere both are
 * plain fields.
 */
function splitFields(
  resource: MutableResource,
  body: JsonObject,
): {
  rest: JsonObject;
  created?: number;
  status?: SubscriptionStatus;
  active?: boolean;
} {
  const rest: JsonObject = {};
  const out: { rest: JsonObject; created?: number; status?: SubscriptionStatus; active?: boolean } = { rest };
  const timeField = SERVED[resource].createdField;
  for (const [k, v] of Object.entries(body)) {
    if (k === 'id' || k === 'object') continue;
    if (k === 'created' || k === timeField) out.created = asCreated(v);
    else if (k === 'status' && resource === 'subscriptions') out.status = asStatus(v);
    else if (k === 'active' && resource === 'products') {
      if (typeof v !== 'boolean') throw new AdminError(400, 'active must be a boolean');
      out.active = v;
    } else rest[k] = v;
  }
  return out;
}

export function createObject(
  account: Account,
  resource: MutableResource,
  body: JsonObject,
  now = nowSeconds(),
): JsonObject {
  const col = account.collections[resource];
  const { rest, created, status, active } = splitFields(resource, body);
  let id: string;
  if (body.id !== undefined) {
    if (typeof body.id !== 'string' || !/^[A-Za-z0-9_]+$/.test(body.id))
      throw new AdminError(400, 'id must be a string of [A-Za-z0-9_]');
    id = body.id;
  } else {
    id = nextId(account, idPrefix(resource, account.mode), ID_SHAPES[resource].length);
  }
  if (col.byId.has(id)) throw new AdminError(409, `${id} already exists`);
  const rec: StoredRecord = { id, created: created ?? now, h: account.rng(), ref: 0 };
  if (resource === 'subscriptions') {
    rec.status = status ?? 'active';
    rec.ref = account.rng() % account.prices.length;
  } else if (resource === 'products') {
    rec.active = active ?? true;
    account.prices.push({
      id: stripeId('price_', account.rng),
      product: id,
      unitAmount: between(account.rng, 1, 300) * 100,
      currency: pick(account.rng, ['usd', 'eur', 'gbp']),
      interval: 'month',
      created: rec.created,
    });
    rec.ref = account.prices.length - 1;
  }
  if (Object.keys(rest).length > 0) rec.ov = rest;
  insertRecord(col, rec);
  const json = renderObject(resource, rec, account);
  addEvent(account, creationEvent(resource), json, now);
  return JSON.parse(json) as JsonObject;
}

function requireObject(account: Account, resource: MutableResource, id: string): StoredRecord {
  const rec = account.collections[resource].byId.get(id);
  if (!rec) throw new AdminError(404, `No such ${SERVED[resource].object}: ${id}`);
  return rec;
}

function applyFields(
  account: Account,
  resource: MutableResource,
  rec: StoredRecord,
  fields: { rest: JsonObject; created?: number; status?: SubscriptionStatus; active?: boolean },
): void {
  if (fields.created !== undefined && fields.created !== rec.created) {
    moveRecord(account.collections[resource], rec, fields.created);
  }
  if (resource === 'subscriptions' && fields.status !== undefined) rec.status = fields.status;
  if (resource === 'products' && fields.active !== undefined) rec.active = fields.active;
  if (Object.keys(fields.rest).length > 0) rec.ov = mergeFields(rec.ov ?? {}, fields.rest);
  rec.json = undefined;
}

/** Top-level fields whose value changed, with their old values (Stripe's `previous_attributes`). */
function previousAttributes(before: JsonObject, after: JsonObject): JsonObject {
  const prev: JsonObject = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) prev[k] = before[k] ?? null;
  }
  return prev;
}

export function updateObject(
  account: Account,
  resource: MutableResource,
  id: string,
  body: JsonObject,
  now = nowSeconds(),
): JsonObject {
  const rec = requireObject(account, resource, id);
  const before = renderParsed(resource, rec, account);
  const fields = splitFields(resource, body);
  if (resource === 'products' && fields.rest.updated === undefined) fields.rest.updated = now;
  const cancels = resource === 'subscriptions' && fields.status === 'canceled' && rec.status !== 'canceled';
  if (cancels) {
    fields.rest.canceled_at ??= now;
    fields.rest.ended_at ??= now;
  }
  applyFields(account, resource, rec, fields);
  const json = renderObject(resource, rec, account);
  const after = JSON.parse(json) as JsonObject;
  // Stripe announces a cancellation as customer.subscription.deleted, any other change as *.updated
  // (or the registry's stand-in, see catalog.ts)
  const type = cancels ? 'customer.subscription.deleted' : updateEvent(resource);
  addEvent(account, type, json, now, cancels ? undefined : previousAttributes(before, after));
  return after;
}

/**
 * What deleting does depends on what Stripe does:
 * - a resource with a deletion event in the registry (customers, products, prices, plans, invoices,
 *   invoice items, coupons) is deleted: gone from lists and retrieval, with that event;
 * - subscriptions are canceled as Stripe's DELETE does (they stay, status canceled,
 *   `customer.subscription.deleted`);
 * - charges cannot be deleted on Stripe; here they are removed silently (no event exists for it),
 *   as before the registry, so a test can make one vanish without a trace;
 * - every other resource cannot be deleted on Stripe and has no deletion event: a 400, rather
 *   than a disappearance no real account can show. Update it (a status, say) instead.
 */
export function deleteObject(
  account: Account,
  resource: MutableResource,
  id: string,
  now = nowSeconds(),
): JsonObject {
  const rec = requireObject(account, resource, id);
  if (resource === 'subscriptions') {
    if (rec.status === 'canceled') throw new AdminError(400, `${id} is already canceled`);
    return updateObject(account, resource, id, { status: 'canceled' }, now);
  }
  const type = deletionEvent(resource);
  if (type === null && resource !== 'charges') {
    throw new AdminError(
      400,
      `${resource} cannot be deleted: Stripe has no deletion event for ${SERVED[resource].object} objects. Update the object instead.`,
    );
  }
  const json = renderObject(resource, rec, account);
  removeRecord(account.collections[resource], rec);
  addEvent(account, type, json, now);
  return { id, object: SERVED[resource].object, deleted: true };
}
