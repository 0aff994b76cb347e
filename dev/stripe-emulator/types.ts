import { RESOURCE_NAMES, type ResourceName as RegistryResource } from '../../stripe/resources';

// Shared shapes of the emulator: options, runtime config and the compact stored records.

export type Mode = 'test' | 'live';

/**
 * Resources whose objects an account holds and the admin API creates, updates and deletes: every
 * resource of the product's registry (stripe/resources.ts), so a resource added there is served here.
 */
export type MutableResource = RegistryResource;
export const MUTABLE_RESOURCES: readonly MutableResource[] = RESOURCE_NAMES;
/** What the emulator stores and lists: the registry's resources plus events (written as a side effect). */
export type ResourceName = MutableResource | 'events';
export const COLLECTIONS: readonly ResourceName[] = [...RESOURCE_NAMES, 'events'];

export interface LatencyConfig {
  baseMs: number;
  perObjectMs: number;
  jitterMs: number;
}

export interface RateLimitConfig {
  enabled: boolean;
  /** requests per second per account in test mode (Stripe: 25) */
  globalTest: number;
  /** requests per second per account in live mode (Stripe: 100) */
  globalLive: number;
  /** requests per second per account and endpoint (Stripe: 25) */
  perEndpoint: number;
}

export interface EmulatorConfig {
  latency: LatencyConfig;
  rateLimits: RateLimitConfig;
  /** simultaneous in-flight requests per account; null = unlimited */
  concurrencyLimit: number | null;
}

export interface EmulatorOptions {
  host?: string;
  /** 0 picks a free port */
  port?: number;
  latency?: Partial<LatencyConfig>;
  rateLimits?: Partial<RateLimitConfig>;
  concurrencyLimit?: number | null;
  /** create the demo account (fixed id, seed and keys) */
  demo?: boolean;
  /** override the demo account's size or seed */
  demoOptions?: Partial<Omit<AccountSpec, 'id' | 'mode'>>;
}

export const DEFAULT_LATENCY: LatencyConfig = { baseMs: 0, perObjectMs: 0, jitterMs: 0 };
export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  enabled: true,
  globalTest: 25,
  globalLive: 100,
  perEndpoint: 25,
};

export interface TiesSpec {
  count: number;
  /** unix seconds; default the middle of the span */
  at?: number;
  /**
   * default: every resource gets `count` objects on that second, at most half of its objects (so
   * its created filters still have something on either side)
   */
  resource?: MutableResource;
}

/** What POST /_emulator/accounts takes. */
export interface AccountSpec {
  id?: string;
  mode: Mode;
  seed?: number;
  /** objects per registry resource; see DEFAULT_COUNTS in data.ts for what a missing one gets */
  counts?: Partial<Record<MutableResource, number>>;
  span?: { from: number; to: number };
  ties?: TiesSpec;
  canceledFraction?: number;
}

export interface AccountKeys {
  secret: string;
  /** read on every registry resource and events */
  restricted: string;
  /** read on every registry resource except what `rak_subscription_read` grants (subscriptions, subscription schedules); no events */
  restrictedNoSubscriptions: string;
}

export interface AccountInfo {
  id: string;
  mode: Mode;
  keys: AccountKeys;
}

export type SubscriptionStatus =
  'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused';
export const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
];

/**
 * One stored object. Generated objects keep only what ordering and filtering need (id, created,
 * status/active) plus a 32-bit hash `h` from which every other field is derived when the object is
 * served, so 270k objects cost tens of MB instead of hundreds.
 */
export interface StoredRecord {
  id: string;
  created: number;
  h: number;
  /** index into the account's price catalog (products: their default price; subscriptions: the item price) */
  ref: number;
  /** subscriptions only */
  status?: SubscriptionStatus;
  /** products only */
  active?: boolean;
  /** fields set through the admin API, merged over the generated object */
  ov?: Record<string, unknown>;
  /** serialised form of a record with overrides (rare, so cached) */
  json?: string;
  /** events only */
  event?: EventPayload;
}

export interface EventPayload {
  type: string;
  /** generated events point at the live record; admin mutations store a snapshot */
  source?: { resource: MutableResource; record: StoredRecord };
  snapshot?: string;
  previousAttributes?: string;
}
