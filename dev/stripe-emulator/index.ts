import { emulatorAdmin, type EmulatorAdmin } from './admin-client';
import { DEMO_ACCOUNT_ID, DEMO_KEYS, type DemoState } from './demo';
import { closeServer, createEmulatorServer, listen } from './server';
import { addAccount, newState, type EmulatorState } from './state';
import { accountInfo } from './store';
import type { AccountInfo, AccountSpec, EmulatorOptions } from './types';

// A stateful local Stripe API for tests and the benchmark. Point the official client at it:
//   const emu = await startEmulator({ port: 0 });
//   const acct = await emu.admin.createAccount({ mode: 'test', seed: 1 });
//   new Stripe(acct.keys.secret, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 0 });

export type {
  AccountInfo,
  AccountKeys,
  AccountSpec,
  EmulatorConfig,
  EmulatorOptions,
  LatencyConfig,
  Mode,
  MutableResource,
  RateLimitConfig,
  ResourceName,
  TiesSpec,
} from './types';
export { DEFAULT_LATENCY, DEFAULT_RATE_LIMITS } from './types';
export type { FaultKind, FaultSpec } from './faults';
export type { Counters } from './counters';
export { emulatorAdmin, EmulatorAdminError, type EmulatorAdmin, type GroundTruthEntry } from './admin-client';
export { DEMO_ACCOUNT_ID, DEMO_KEYS, type DemoState } from './demo';

export interface RunningEmulator {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
  /** the admin API client bound to this emulator */
  admin: EmulatorAdmin;
  /** in-process account creation (no HTTP round trip; same result as admin.createAccount) */
  createAccount(spec: AccountSpec): AccountInfo;
  /** the demo account's url, id and keys when started with `demo: true` */
  demo: DemoState | null;
  /** the live state, for tests that need to look inside */
  state: EmulatorState;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const st = newState(options);
  const server = createEmulatorServer(st);
  const port = await listen(server, host, options.port ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | null = null;
  return {
    url,
    host,
    port,
    close: () => (closed ??= closeServer(server, st)),
    admin: emulatorAdmin(url),
    createAccount: (spec) => accountInfo(addAccount(st, spec)),
    demo: st.demo ? { url, account: DEMO_ACCOUNT_ID, mode: 'test', keys: DEMO_KEYS } : null,
    state: st,
  };
}
