import { EVENT_RETENTION_SECONDS, type Account } from './account';
import { SERVED } from './catalog';
import { lowerBound, positionOf } from './collection';
import { invalidRequest, noSuch } from './errors';
import type { Param, ParamObject } from './query';
import { renderObject } from './render';
import { COLLECTIONS, SUBSCRIPTION_STATUSES, type ResourceName, type StoredRecord } from './types';

// GET <path> and GET <path>/:id of every served resource (the registry's plus events) with Stripe's
// parameters and errors. A list call costs two binary searches (the created range, the cursor's
// position) plus a walk over the page, so it is O(log n + limit) however many objects share a second.

// module constants instead of globals in the per-request path (see random.ts)
const INF = Number.POSITIVE_INFINITY;
const { min: mathMin, max: mathMax } = Math;
const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);

export interface ApiResult {
  body: Buffer;
  /** objects in the response, for the latency model and counters */
  objects: number;
}

const COMMON_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand'];
/** Filters the emulator applies; other resources take none of Stripe's filters (they are unknown parameters). */
const FILTER_PARAMS: Partial<Record<ResourceName, string[]>> = {
  products: ['active'],
  subscriptions: ['status'],
  events: ['type', 'types', 'delivery_success'],
};

/**
 * The parameters each list accepts: `created` only where the registry says the list takes it (Stripe
 * answers `created` on the others as an unknown parameter), and the registry's listParams, which
 * the product sends; on a resource without a filter for them they ask for everything, which is what
 * the list serves anyway.
 */
const ALLOWED_PARAMS = Object.fromEntries(
  COLLECTIONS.map((r) => {
    const s = SERVED[r];
    const names = [...COMMON_PARAMS, ...(s.createdFilter ? ['created'] : []), ...(FILTER_PARAMS[r] ?? [])];
    return [r, [...new Set([...names, ...Object.keys(s.listParams)])]];
  }),
) as Record<ResourceName, string[]>;

/** The end of a list body: `has_more` then the list's url. */
const SUFFIX = Object.fromEntries(
  COLLECTIONS.map((r) => [
    r,
    [`],"has_more":false,"url":"${SERVED[r].path}"}`, `],"has_more":true,"url":"${SERVED[r].path}"}`],
  ]),
) as Record<ResourceName, [string, string]>;

function emptyParam(name: string) {
  return invalidRequest(
    400,
    `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; ` +
      `however '${name}' cannot be unset. You should remove '${name}' from your request or supply a non-empty value.`,
    name,
    'parameter_invalid_empty',
  );
}

function stringParam(value: Param | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(400, `Invalid ${name}: must be a string`, name);
  if (value === '') throw emptyParam(name);
  return value;
}

function integerParam(value: Param | undefined, name: string): number | undefined {
  const s = stringParam(value, name);
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s))
    throw invalidRequest(400, `Invalid integer: ${s}`, name, 'parameter_invalid_integer');
  return Number(s);
}

function parseLimit(value: Param | undefined): number {
  const limit = integerParam(value, 'limit') ?? 10;
  if (limit < 1) {
    throw invalidRequest(
      400,
      'This value must be greater than or equal to 1.',
      'limit',
      'parameter_invalid_integer',
    );
  }
  if (limit > 100) {
    throw invalidRequest(
      400,
      'This value must be less than or equal to 100.',
      'limit',
      'parameter_invalid_integer',
    );
  }
  return limit;
}

/** `created` as an exact integer or a range; returns inclusive bounds. */
function parseCreated(value: Param | undefined): { min: number; max: number } {
  const range = { min: -INF, max: INF };
  if (value === undefined) return range;
  if (typeof value === 'string') {
    const t = integerParam(value, 'created') as number;
    return { min: t, max: t };
  }
  for (const [op, raw] of Object.entries(value)) {
    const name = `created[${op}]`;
    if (!['gt', 'gte', 'lt', 'lte'].includes(op)) {
      throw invalidRequest(400, `Received unknown parameter: ${name}`, name, 'parameter_unknown');
    }
    const t = integerParam(raw, name) as number;
    if (op === 'gt') range.min = mathMax(range.min, t + 1);
    if (op === 'gte') range.min = mathMax(range.min, t);
    if (op === 'lt') range.max = mathMin(range.max, t - 1);
    if (op === 'lte') range.max = mathMin(range.max, t);
  }
  return range;
}

type Matcher = ((rec: StoredRecord) => boolean) | null;

const STATUS_VALUES = [...SUBSCRIPTION_STATUSES, 'all', 'ended'];

function subscriptionMatcher(value: Param | undefined): Matcher {
  const status = stringParam(value, 'status');
  // Stripe's default hides canceled and incomplete_expired subscriptions: a sync that forgets
  // status=all silently misses them (a top complaint about other sync tools).
  if (status === undefined) return (r) => r.status !== 'canceled' && r.status !== 'incomplete_expired';
  if (!STATUS_VALUES.includes(status)) {
    throw invalidRequest(400, `Invalid status: must be one of ${STATUS_VALUES.join(', ')}`, 'status');
  }
  if (status === 'all') return null;
  if (status === 'ended') return (r) => r.status === 'canceled' || r.status === 'incomplete_expired';
  return (r) => r.status === status;
}

function productMatcher(value: Param | undefined): Matcher {
  const active = stringParam(value, 'active');
  if (active === undefined) return null;
  if (active !== 'true' && active !== 'false')
    throw invalidRequest(400, `Invalid boolean: ${active}`, 'active');
  const want = active === 'true';
  return (r) => r.active === want;
}

function typeMatches(pattern: string): (type: string) => boolean {
  // Stripe accepts a trailing wildcard: customer.subscription.*
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return (t) => t.startsWith(prefix);
  }
  return (t) => t === pattern;
}

function eventMatcher(params: ParamObject): Matcher {
  const type = stringParam(params.type, 'type');
  const types = params.types;
  if (type !== undefined && types !== undefined) {
    throw invalidRequest(400, 'You may only specify one of these parameters: type, types.', 'types');
  }
  if (params.delivery_success !== undefined) {
    const v = stringParam(params.delivery_success, 'delivery_success');
    if (v !== 'true' && v !== 'false') throw invalidRequest(400, `Invalid boolean: ${v}`, 'delivery_success');
  }
  let tests: ((t: string) => boolean)[] = [];
  if (type !== undefined) tests = [typeMatches(type)];
  else if (types !== undefined) {
    if (typeof types === 'string') throw invalidRequest(400, 'Invalid array', 'types');
    const list = Object.values(types).map((t) => stringParam(t, 'types') as string);
    if (list.length > 20) throw invalidRequest(400, 'This array can contain at most 20 items.', 'types');
    tests = list.map(typeMatches);
  }
  if (tests.length === 0) return null;
  return (r) => tests.some((t) => t(r.event?.type ?? ''));
}

function matcherFor(resource: ResourceName, params: ParamObject): Matcher {
  if (resource === 'subscriptions') return subscriptionMatcher(params.status);
  if (resource === 'products') return productMatcher(params.active);
  if (resource === 'events') return eventMatcher(params);
  return null;
}

function rejectUnknown(params: ParamObject, allowed: string[]): void {
  for (const name of Object.keys(params)) {
    if (!allowed.includes(name)) {
      throw invalidRequest(400, `Received unknown parameter: ${name}`, name, 'parameter_unknown');
    }
  }
}

function cursorRecord(account: Account, resource: ResourceName, id: string, param: string): StoredRecord {
  const rec = account.collections[resource].byId.get(id);
  if (!rec) throw noSuch(SERVED[resource].object, id, param, 400);
  return rec;
}

export function listObjects(
  account: Account,
  resource: ResourceName,
  params: ParamObject,
  now: number,
): ApiResult {
  rejectUnknown(params, ALLOWED_PARAMS[resource]);
  const limit = parseLimit(params.limit);
  const startingAfter = stringParam(params.starting_after, 'starting_after');
  const endingBefore = stringParam(params.ending_before, 'ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw invalidRequest(
      400,
      'You may only specify one of these parameters: ending_before, starting_after.',
      'ending_before',
    );
  }
  const { min, max } = parseCreated(params.created);
  const match = matcherFor(resource, params);
  // expand[] is accepted and has no effect: ids stay ids

  const arr = account.collections[resource].arr;
  const floor = resource === 'events' ? mathMax(min, now - EVENT_RETENTION_SECONDS) : min;
  const lo = floor === -INF ? 0 : lowerBound(arr, floor);
  const hi = max === INF ? arr.length : lowerBound(arr, max + 1);
  const page: StoredRecord[] = [];
  let hasMore = false;

  if (endingBefore !== undefined) {
    // the `limit` objects just newer than the cursor, served newest first
    const p = positionOf(arr, cursorRecord(account, resource, endingBefore, 'ending_before'));
    let i = mathMax(lo, p + 1);
    for (; i < hi && page.length < limit; i++) if (!match || match(arr[i])) page.push(arr[i]);
    for (; i < hi && !hasMore; i++) if (!match || match(arr[i])) hasMore = true;
    page.reverse();
  } else {
    let i = hi - 1;
    if (startingAfter !== undefined) {
      const p = positionOf(arr, cursorRecord(account, resource, startingAfter, 'starting_after'));
      i = mathMin(i, p - 1);
    }
    for (; i >= lo && page.length < limit; i--) if (!match || match(arr[i])) page.push(arr[i]);
    for (; i >= lo && !hasMore; i--) if (!match || match(arr[i])) hasMore = true;
  }

  const parts = new Array<string>(page.length);
  for (let k = 0; k < page.length; k++) parts[k] = renderObject(resource, page[k], account);
  return {
    body: asciiBuffer('{"object":"list","data":[', parts, SUFFIX[resource][hasMore ? 1 : 0]),
    objects: page.length,
  };
}

/**
 * prefix + parts.join(',') + suffix as bytes. Rendered objects are ASCII, so each is written as
 * latin1 straight from V8's (rope) string into one buffer: about 4x cheaper than join() followed by
 * the UTF-8 encoding res.end(string) would do, and the biggest cost of a 100-object page otherwise.
 */
function asciiBuffer(prefix: string, parts: string[], suffix: string): Buffer {
  let total = prefix.length + suffix.length + mathMax(0, parts.length - 1);
  for (const p of parts) total += p.length;
  const buf = allocUnsafe(total);
  let off = buf.write(prefix, 0, 'latin1');
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) buf[off++] = 0x2c; // ','
    off += buf.write(parts[i], off, 'latin1');
  }
  buf.write(suffix, off, 'latin1');
  return buf;
}

export function retrieveObject(
  account: Account,
  resource: ResourceName,
  id: string,
  params: ParamObject,
  now: number,
): ApiResult {
  rejectUnknown(params, ['expand']);
  const rec = account.collections[resource].byId.get(id);
  const expired = resource === 'events' && rec !== undefined && rec.created < now - EVENT_RETENTION_SECONDS;
  if (!rec || expired) throw noSuch(SERVED[resource].object, id, 'id', 404);
  return { body: Buffer.from(renderObject(resource, rec, account), 'latin1'), objects: 1 };
}
