import type { ClockSetting } from './clock';
import type { Counters } from './counters';
import type { Fault, FaultSpec } from './faults';
import type {
  AccountInfo,
  AccountSpec,
  EmulatorConfig,
  LatencyConfig,
  MutableResource,
  RateLimitConfig,
  ResourceName,
} from './types';

// Typed client for the emulator's admin API (global fetch). Used by tests across the project:
//   const admin = emulatorAdmin(url);
//   const acct = await admin.createAccount({ mode: 'test', seed: 7, counts: { charges: 500, customers: 50 } });
//   const cs = await admin.createObject(acct.id, 'checkout_sessions', { metadata: { order: '42' } });
// Resources are the registry's names (stripe/resources.ts); events are read with objects(…, 'events').

export interface GroundTruthEntry {
  id: string;
  created: number;
  /** subscriptions only */
  status?: string;
  /** products only */
  active?: boolean;
}

export interface AccountSummary extends AccountInfo {
  seed: number;
  counts: Record<ResourceName, number>;
}

export interface ConfigPatch {
  latency?: Partial<LatencyConfig>;
  rateLimits?: Partial<RateLimitConfig>;
  concurrencyLimit?: number | null;
}

/** GET /_emulator/stats: the emulator process's resource use. */
export interface ProcessStats {
  cpuUserMs: number;
  cpuSystemMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  uptimeMs: number;
}

export type StripeObject = Record<string, unknown> & { id: string; object: string };

export class EmulatorAdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface EmulatorAdmin {
  url: string;
  health(): Promise<{ ok: true }>;
  /** CPU time and memory of the emulator process */
  stats(): Promise<ProcessStats>;
  createAccount(spec: AccountSpec): Promise<AccountInfo>;
  listAccounts(): Promise<AccountSummary[]>;
  getAccount(id: string): Promise<AccountSummary>;
  deleteAccount(id: string): Promise<void>;
  /** revokes one of the account's keys: requests with it answer 401 from now on */
  revokeKey(account: string, key: string): Promise<void>;
  /**
   * A new restricted key of the account that holds exactly these read permissions (the registry's
   * `permission` names, or rak_event_read); any other resource answers it with a 403.
   */
  createRestrictedKey(
    account: string,
    permissions: string[],
  ): Promise<{ key: string; permissions: string[] }>;
  /**
   * Every object of the resource (canceled subscriptions included), newest first. `created` is the
   * object's time (its `date` on invoice items; payment links, which show none, are ordered by it).
   */
  objects(account: string, resource: ResourceName): Promise<GroundTruthEntry[]>;
  /**
   * Creates an object of any registry resource, in its fixture's shape with `fields` merged over it;
   * `id` and `created` (or the resource's createdField) are optional. Writes the creation event.
   */
  createObject(
    account: string,
    resource: MutableResource,
    fields?: Record<string, unknown>,
  ): Promise<StripeObject>;
  /** merges `fields` into the object (metadata key by key) and writes the update event */
  updateObject(
    account: string,
    resource: MutableResource,
    id: string,
    fields: Record<string, unknown>,
  ): Promise<StripeObject>;
  /**
   * Resources with a deletion event (customers, products, …): deleted. Subscriptions: canceled.
   * Charges: removed without an event. Any other resource: a 400 (Stripe cannot delete it).
   */
  deleteObject(account: string, resource: MutableResource, id: string): Promise<StripeObject>;
  /** Moves (offsetSeconds) or freezes (frozenAt) the emulator's clock; `{}` is real time again. */
  setClock(setting: ClockSetting): Promise<ClockSetting>;
  reset(): Promise<void>;
  counters(account?: string): Promise<Counters>;
  resetCounters(account?: string): Promise<void>;
  getConfig(): Promise<EmulatorConfig>;
  setConfig(patch: ConfigPatch): Promise<EmulatorConfig>;
  addFault(fault: FaultSpec): Promise<{ id: string }>;
  listFaults(): Promise<Fault[]>;
  clearFaults(): Promise<void>;
}

export function emulatorAdmin(baseUrl: string): EmulatorAdmin {
  const root = baseUrl.replace(/\/+$/, '') + '/_emulator';
  const enc = encodeURIComponent;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(root + path, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as T & { error?: { message?: string } };
    if (!res.ok)
      throw new EmulatorAdminError(res.status, `${method} ${path}: ${json.error?.message ?? res.statusText}`);
    return json;
  }
  const q = (account?: string) => (account === undefined ? '' : `?account=${enc(account)}`);

  return {
    url: baseUrl,
    health: () => call('GET', '/health'),
    stats: () => call('GET', '/stats'),
    createAccount: (spec) => call('POST', '/accounts', spec),
    listAccounts: async () => (await call<{ data: AccountSummary[] }>('GET', '/accounts')).data,
    getAccount: (id) => call('GET', `/accounts/${enc(id)}`),
    deleteAccount: async (id) => void (await call('DELETE', `/accounts/${enc(id)}`)),
    revokeKey: async (account, key) =>
      void (await call('DELETE', `/accounts/${enc(account)}/keys/${enc(key)}`)),
    createRestrictedKey: (account, permissions) =>
      call('POST', `/accounts/${enc(account)}/keys`, { permissions }),
    objects: async (account, resource) =>
      (await call<{ data: GroundTruthEntry[] }>('GET', `/accounts/${enc(account)}/objects/${resource}`)).data,
    createObject: (account, resource, fields = {}) =>
      call('POST', `/accounts/${enc(account)}/objects/${resource}`, fields),
    updateObject: (account, resource, id, fields) =>
      call('POST', `/accounts/${enc(account)}/objects/${resource}/${enc(id)}`, fields),
    deleteObject: (account, resource, id) =>
      call('DELETE', `/accounts/${enc(account)}/objects/${resource}/${enc(id)}`),
    setClock: (setting) => call('PUT', '/clock', setting),
    reset: async () => void (await call('POST', '/reset')),
    counters: (account) => call('GET', `/counters${q(account)}`),
    resetCounters: async (account) => void (await call('POST', `/counters/reset${q(account)}`)),
    getConfig: () => call('GET', '/config'),
    setConfig: (patch) => call('PUT', '/config', patch),
    addFault: (fault) => call('POST', '/faults', fault),
    listFaults: async () => (await call<{ data: Fault[] }>('GET', '/faults')).data,
    clearFaults: async () => void (await call('DELETE', '/faults')),
  };
}
