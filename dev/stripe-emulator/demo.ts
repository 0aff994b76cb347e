import { accountKeys } from './data';
import type { AccountKeys, AccountSpec } from './types';

// The demo account `--demo` creates: fixed id, seed and keys, so a local stack, the docs and the
// benchmark can all refer to it. Modest size, ~30% canceled subscriptions and a tie group of 150
// objects per resource on one second (the case that breaks naive created-based pagination).

export const DEMO_ACCOUNT_ID = 'acct_compounddemo0001';
export const DEMO_SEED = 20240601;
export const DEMO_KEYS: AccountKeys = accountKeys(DEMO_ACCOUNT_ID, 'test', DEMO_SEED);

export function demoSpec(overrides: Partial<Omit<AccountSpec, 'id' | 'mode'>> = {}): AccountSpec {
  return {
    seed: DEMO_SEED,
    counts: { charges: 2000, products: 300, subscriptions: 500 },
    ties: { count: 150 },
    canceledFraction: 0.3,
    ...overrides,
    id: DEMO_ACCOUNT_ID,
    mode: 'test',
  };
}

/** What --state-file holds. */
export interface DemoState {
  url: string;
  account: string;
  mode: 'test';
  keys: AccountKeys;
}
