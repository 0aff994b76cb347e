import { keyFingerprint } from './account';
import Stripe from 'stripe';
import type { CreatedRange } from '../common/slices';
import type { ResourceSpec } from './resources';

// The one way Compound talks to Stripe: the official client, one generic list call for every registry
// resource (the registry says which path and parameters), and the account key that budgets requests.

// Pinned so a new stripe-node default cannot silently change the shape of what lands in SQS.
export const STRIPE_API_VERSION = '2026-10-28.endive';

/** The official client; other folders name it through this alias so only stripe/ imports stripe-node. */
export type StripeClient = Stripe;

export interface StripeObject {
  id: string;
  [field: string]: unknown;
}

export interface StripeListPage {
  data: StripeObject[];
  has_more: boolean;
}

export interface StripeClientOptions {
  stripeKey: string;
  apiBase?: string;
  timeoutMs: number;
}

export function createStripeClient(o: StripeClientOptions): Stripe {
  const base = o.apiBase ? new URL(o.apiBase) : undefined;
  return new Stripe(o.stripeKey, {
    apiVersion: STRIPE_API_VERSION as Stripe.StripeConfig['apiVersion'],
    // Retrying is Temporal's job: one activity attempt is one HTTP request.
    maxNetworkRetries: 0,
    timeout: o.timeoutMs,
    telemetry: false,
    appInfo: { name: 'compound' },
    ...(base && {
      host: base.hostname,
      port: base.port || (base.protocol === 'https:' ? 443 : 80),
      protocol: base.protocol === 'https:' ? ('https' as const) : ('http' as const),
    }),
  });
}

/** The exact parameters of a list request for a resource: its registry parameters always included. */
export function listParamsFor(
  spec: Pick<ResourceSpec, 'listParams' | 'createdFilter'>,
  o: { limit: number; range: CreatedRange; startingAfter?: string },
): Record<string, string | number | CreatedRange> {
  return {
    limit: o.limit,
    ...(spec.createdFilter && { created: { gte: o.range.gte, lt: o.range.lt } }),
    ...(o.startingAfter && { starting_after: o.startingAfter }),
    ...spec.listParams,
  };
}

type QueryValue = string | number | CreatedRange | readonly string[];

/** Stripe's form encoding for a query string: `created[gte]=1&limit=100&types[0]=a`. */
export function encodeQuery(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      value.forEach((v: string, i) => parts.push(`${key}[${i}]=${encodeURIComponent(v)}`));
    } else if (typeof value === 'object') {
      for (const [sub, v] of Object.entries(value))
        parts.push(`${key}[${sub}]=${encodeURIComponent(String(v))}`);
    } else {
      parts.push(`${key}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join('&');
}

/**
 * One page of any registry resource's list. stripe-node's raw request keeps its authentication, API
 * version, timeouts and error classes, without a typed method per resource.
 */
export async function listPage(
  stripe: Stripe,
  spec: Pick<ResourceSpec, 'path' | 'listParams' | 'createdFilter'>,
  o: { limit: number; range: CreatedRange; startingAfter?: string },
): Promise<StripeListPage> {
  const query = encodeQuery(listParamsFor(spec, o));
  const page = (await stripe.rawRequest('GET', `${spec.path}?${query}`)) as unknown as StripeListPage;
  if (!Array.isArray(page?.data))
    throw new Stripe.errors.StripeAPIError({ message: `${spec.path} answered without a data list` });
  return page;
}

export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  api_version: string | null;
  data: { object: StripeObject };
}

/** The event types a resource's changes come as: Stripe takes at most 20 in one `types[]` filter. */
export function eventTypesOf(spec: Pick<ResourceSpec, 'events'>): string[] {
  return [...spec.events.changed, ...spec.events.deleted];
}

/** One page of the resource's events created in the window, newest first. */
export async function listEventsPage(
  stripe: Stripe,
  spec: Pick<ResourceSpec, 'events'>,
  o: { limit: number; window: CreatedRange; startingAfter?: string },
): Promise<{ data: StripeEvent[]; has_more: boolean }> {
  const query = encodeQuery({
    limit: o.limit,
    created: { gte: o.window.gte, lt: o.window.lt },
    types: eventTypesOf(spec),
    ...(o.startingAfter && { starting_after: o.startingAfter }),
  });
  const page = (await stripe.rawRequest('GET', `/v1/events?${query}`)) as unknown as {
    data: StripeEvent[];
    has_more: boolean;
  };
  if (!Array.isArray(page?.data))
    throw new Stripe.errors.StripeAPIError({ message: '/v1/events answered without a data list' });
  return page;
}

/**
 * The rate-limit budget of an interaction's requests in a worker: its account when known (every key of
 * it shares one), else the key's fingerprint; per API base, so an emulator never shares Stripe's.
 */
export function accountKeyFor(interaction: {
  stripeKey: string;
  stripeApiBase?: string;
  budget?: string;
}): string {
  const budget = interaction.budget ?? keyFingerprint(interaction.stripeKey);
  return `${interaction.stripeApiBase ?? 'https://api.stripe.com'}|${budget}`;
}

/** One client per key and API base, reused across activities (keep-alive connections). */
export function createStripeClientCache(timeoutMs: number) {
  const clients = new Map<string, Stripe>();
  return (interaction: { stripeKey: string; stripeApiBase?: string }): Stripe => {
    // one client per key (not per budget): two keys of one account are two clients
    const key = `${interaction.stripeApiBase ?? ''}|${keyFingerprint(interaction.stripeKey)}`;
    let client = clients.get(key);
    if (!client) {
      client = createStripeClient({
        stripeKey: interaction.stripeKey,
        apiBase: interaction.stripeApiBase,
        timeoutMs,
      });
      clients.set(key, client);
    }
    return client;
  };
}
