import type { Collection } from './collection';
import type { Rng } from './random';
import type { AccountKeys, Mode, ResourceName } from './types';

/** A recurring price: products' default prices, also the prices subscriptions are on. */
export interface PriceEntry {
  id: string;
  product: string;
  unitAmount: number;
  currency: string;
  interval: 'week' | 'month' | 'year';
  created: number;
}

/** One emulated Stripe account: its keys and its objects. */
export interface Account {
  id: string;
  mode: Mode;
  seed: number;
  keys: AccountKeys;
  /** unix seconds when the data was generated; derived fields (periods, cancel dates) use it so every render agrees */
  generatedAt: number;
  customers: string[];
  prices: PriceEntry[];
  collections: Record<ResourceName, Collection>;
  /** ids and hashes of objects created through the admin API (deterministic: continues the seed's sequence) */
  rng: Rng;
  /** objects and events created through the admin API so far (orders their ids, see store.ts) */
  seq: number;
}

export const API_VERSION = '2026-10-28.endive';
/** Stripe keeps events for 30 days. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 3600;
