import { chmodSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { isMutableResource } from './catalog';
import { startEmulator, type EmulatorOptions } from './index';
import { MUTABLE_RESOURCES, type MutableResource } from './types';

// `npm run emulator -- --help`: the emulator as a process (local stack, benchmark).

function int(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function num(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0`);
    return n;
  };
}

/** `--demo-count customers=500`, repeatable: any registry resource's count in the demo account. */
function resourceCount(value: string, prev: Partial<Record<MutableResource, number>> = {}) {
  const m = /^([a-z_]+)=(\d+)$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected <resource>=<count>, e.g. customers=500');
  if (!isMutableResource(m[1]))
    throw new InvalidArgumentError(`unknown resource ${m[1]}; one of ${MUTABLE_RESOURCES.join(', ')}`);
  return { ...prev, [m[1]]: Number(m[2]) };
}

interface CliOptions {
  host: string;
  port: number;
  demo?: boolean;
  stateFile?: string;
  demoSeed?: number;
  demoCharges?: number;
  demoProducts?: number;
  demoSubscriptions?: number;
  demoCount?: Partial<Record<MutableResource, number>>;
  latencyBaseMs: number;
  latencyPerObjectMs: number;
  latencyJitterMs: number;
  rateLimits: boolean;
  globalLimitTest: number;
  globalLimitLive: number;
  endpointLimit: number;
  concurrencyLimit?: number;
}

const program = new Command()
  .name('stripe-emulator')
  .description(
    'A stateful local Stripe API with Stripe pagination, limits, latency and faults. It serves every ' +
      'resource of the registry (stripe/resources.ts) and events: ' +
      MUTABLE_RESOURCES.join(', ') +
      '.',
  )
  .option('--host <host>', 'address to bind', process.env.COMPOUND_EMULATOR_HOST ?? '127.0.0.1')
  .option(
    '--port <port>',
    'port to listen on (0 = any free port)',
    int('--port'),
    Number(process.env.COMPOUND_EMULATOR_PORT ?? 12011),
  )
  .option('--demo', 'create the demo account (fixed id, seed and keys)')
  .option(
    '--state-file <path>',
    'write the demo account url, id and keys as JSON there (mode 0600); implies --demo',
  )
  .option('--demo-seed <n>', 'seed of the demo data', int('--demo-seed'))
  .option('--demo-charges <n>', 'charges in the demo account (default 2000)', int('--demo-charges'))
  .option('--demo-products <n>', 'products in the demo account (default 300)', int('--demo-products'))
  .option(
    '--demo-subscriptions <n>',
    'subscriptions in the demo account (default 500)',
    int('--demo-subscriptions'),
  )
  .option(
    '--demo-count <resource=n>',
    'objects of any registry resource in the demo account, repeatable (default 20 each beyond the three above)',
    resourceCount,
  )
  .option('--latency-base-ms <ms>', 'delay of every request', num('--latency-base-ms'), 0)
  .option(
    '--latency-per-object-ms <ms>',
    'extra delay per object returned',
    num('--latency-per-object-ms'),
    0,
  )
  .option('--latency-jitter-ms <ms>', 'uniform jitter (+/-) on the delay', num('--latency-jitter-ms'), 0)
  .option('--no-rate-limits', 'disable the rate limiter')
  .option('--global-limit-test <n>', 'requests/s per test-mode account', int('--global-limit-test', 1), 25)
  .option('--global-limit-live <n>', 'requests/s per live-mode account', int('--global-limit-live', 1), 100)
  .option('--endpoint-limit <n>', 'requests/s per account and endpoint', int('--endpoint-limit', 1), 25)
  .option(
    '--concurrency-limit <n>',
    'simultaneous requests per account (default unlimited)',
    int('--concurrency-limit', 1),
  );

async function main(): Promise<void> {
  const o = program.parse().opts<CliOptions>();
  const demo = Boolean(o.demo || o.stateFile);
  const counts = {
    ...(o.demoCharges !== undefined && { charges: o.demoCharges }),
    ...(o.demoProducts !== undefined && { products: o.demoProducts }),
    ...(o.demoSubscriptions !== undefined && { subscriptions: o.demoSubscriptions }),
    ...o.demoCount,
  };
  const options: EmulatorOptions = {
    host: o.host,
    port: o.port,
    demo,
    demoOptions: {
      ...(o.demoSeed !== undefined && { seed: o.demoSeed }),
      ...(Object.keys(counts).length > 0 && {
        counts: { charges: 2000, products: 300, subscriptions: 500, ...counts },
      }),
    },
    latency: { baseMs: o.latencyBaseMs, perObjectMs: o.latencyPerObjectMs, jitterMs: o.latencyJitterMs },
    rateLimits: {
      enabled: o.rateLimits,
      globalTest: o.globalLimitTest,
      globalLive: o.globalLimitLive,
      perEndpoint: o.endpointLimit,
    },
    concurrencyLimit: o.concurrencyLimit ?? null,
  };
  const emu = await startEmulator(options);
  if (o.stateFile && emu.demo) {
    writeFileSync(o.stateFile, JSON.stringify(emu.demo, null, 2) + '\n', { mode: 0o600 });
    chmodSync(o.stateFile, 0o600); // writeFileSync keeps the mode of an existing file
  }
  console.log(`stripe emulator listening on ${emu.url}`);

  let stopping = false;
  // a clean stop (exit 0) on either signal: the stack runner and Ctrl-C both mean "done"
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void emu.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
