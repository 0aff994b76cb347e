import type { Account } from './account';
import { initialConfig } from './config';
import { newCounterSet, resetCounterSet, type CounterSet } from './counters';
import { DEMO_KEYS, demoSpec } from './demo';
import { newFaultRegistry, type FaultRegistry } from './faults';
import { newLimiter, type AccountLimiter } from './rate-limit';
import { createAccount, newStore, type Store } from './store';
import type { AccountSpec, EmulatorConfig, EmulatorOptions } from './types';

// Everything one running emulator holds. Plain data plus the few helpers the HTTP layers share.

export interface EmulatorState {
  store: Store;
  config: EmulatorConfig;
  faults: FaultRegistry;
  /** every request, including those without a valid key */
  totals: CounterSet;
  accountCounters: Map<string, CounterSet>;
  limiters: Map<string, AccountLimiter>;
  /** the demo account's spec when started with demo (recreated on reset) */
  demo: AccountSpec | null;
  /** timers of stalled requests, cleared on close */
  stalls: Set<NodeJS.Timeout>;
}

export function newState(o: EmulatorOptions): EmulatorState {
  const st: EmulatorState = {
    store: newStore(),
    config: initialConfig(o),
    faults: newFaultRegistry(),
    totals: newCounterSet(),
    accountCounters: new Map(),
    limiters: new Map(),
    demo: o.demo ? demoSpec(o.demoOptions) : null,
    stalls: new Set(),
  };
  if (st.demo) addAccount(st, st.demo);
  return st;
}

/** Creates an account; replacing one with the same id also clears its counters and limiter windows. */
export function addAccount(st: EmulatorState, spec: AccountSpec): Account {
  const isDemo = st.demo !== null && spec.id === st.demo.id;
  const account = createAccount(st.store, spec, isDemo ? { keys: DEMO_KEYS } : {});
  st.accountCounters.delete(account.id);
  st.limiters.delete(account.id);
  return account;
}

export function countersFor(st: EmulatorState, accountId: string): CounterSet {
  let c = st.accountCounters.get(accountId);
  if (!c) st.accountCounters.set(accountId, (c = newCounterSet()));
  return c;
}

export function limiterFor(st: EmulatorState, account: Account): AccountLimiter {
  let l = st.limiters.get(account.id);
  // windows are sized from the config: rebuild them when it changed
  if (!l || l.config !== st.config.rateLimits)
    st.limiters.set(account.id, (l = newLimiter(st.config.rateLimits, account.mode)));
  return l;
}

/** Drops every account (the demo one is recreated), counters, limiter windows and faults. */
export function resetState(st: EmulatorState): void {
  st.store.accounts.clear();
  st.store.keys.clear();
  st.accountCounters.clear();
  st.limiters.clear();
  st.faults.faults = [];
  resetCounterSet(st.totals);
  if (st.demo) addAccount(st, st.demo);
}

export function resetCounters(st: EmulatorState, accountId?: string): void {
  if (accountId !== undefined) {
    const c = st.accountCounters.get(accountId);
    if (c) resetCounterSet(c);
    return;
  }
  resetCounterSet(st.totals);
  for (const c of st.accountCounters.values()) resetCounterSet(c);
}
