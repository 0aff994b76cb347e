import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createInteraction } from '../client/interactions';
import { generateSealingKeyPair } from '../common/sealed-keys';
import { loadConfig } from '../common/config';
import { compoundDataConverter } from '../common/data-converter';
import { generateKeySpec } from '../common/encryption';
import { DEFAULT_RATE_SHARE } from '../common/interaction';
// The benchmark's account: the three resources Compound was first measured on.
const RESOURCE_NAMES = ['charges', 'products', 'subscriptions'] as const;
type ResourceName = (typeof RESOURCE_NAMES)[number];
import { startLocalServices, stopLocalServices, type ServiceAddresses } from '../dev/local-services';
import { sqsClientFor } from '../dev/services';
import { emulatorAdmin } from '../dev/stripe-emulator/admin-client';
import type { Counters } from '../dev/stripe-emulator/counters';
import type { SyncSummary } from '../workflows/definitions';
import { runBaseline } from './baseline';
import { runIncrementalPhase, scheduleArgs, type IncrementalResult } from './incremental';
import { startConsumer } from './consumer';
import { spawnBenchWorker } from './worker-process';
import { historyOf } from './history';
import { cpuMeter, cpuMsPerPage, processCpuMs, serviceCpuProbes, type CpuPerPage } from './process-cpu';
import { measureMachineReference } from './machine-reference';
import { printScaleOutTables, runScaleOutScenarios, SCALE_OUT_SCENARIOS } from './scale-out';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';

// `npm run bench [-- --quick]`: all three interactions of one account synced at once against the Stripe
// emulator with Stripe's rate limits and 300 ± 100 ms latency, in test and live mode, next to the
// hand-written autoPagingEach baseline. Prints a table and writes bench/results/latest.json.

const quick = process.argv.includes('--quick');
const LATENCY = { baseMs: 300, jitterMs: 100 };
type Counts = Record<ResourceName, number>;
const BIG: Counts = { charges: 200_000, subscriptions: 50_000, products: 20_000 };
const SMALL: Counts = { charges: 16_000, subscriptions: 3_000, products: 1_000 };

interface Scenario {
  name: string;
  mode: 'test' | 'live';
  counts: Counts;
  /** After the snapshot, measure incremental runs on the same account (issue 15). */
  incremental?: boolean;
  /** Worker processes sharing the task queue (default 1): Stripe's limit must hold across them. */
  workers?: number;
}

const only = process.argv.includes('--scenario')
  ? process.argv[process.argv.indexOf('--scenario') + 1]
  : undefined;
const allScenarios: Scenario[] = quick
  ? [
      { name: 'test-20k', mode: 'test', counts: SMALL, incremental: true },
      { name: 'live-20k', mode: 'live', counts: SMALL },
    ]
  : [
      { name: 'test-270k', mode: 'test', counts: BIG, incremental: true },
      { name: 'live-270k', mode: 'live', counts: BIG },
      { name: 'test-20k', mode: 'test', counts: SMALL },
      { name: 'test-270k-2w', mode: 'test', counts: BIG, workers: 2 },
      { name: 'test-270k-4w', mode: 'test', counts: BIG, workers: 4 },
    ];
// `--scenario test-270k` runs one scenario (for tuning); results then go to bench/results/<name>.json.
const scenarios = allScenarios.filter((s) => !only || s.name === only);
// The many-account scenarios (issue 16) come after these, in the full run only (bench/scale-out.ts).
const scaleOutScenarios = quick ? [] : SCALE_OUT_SCENARIOS.filter((name) => !only || name === only);
if (only && scenarios.length + scaleOutScenarios.length === 0)
  throw new Error(
    `no scenario ${only}: ${[...allScenarios.map((s) => s.name), ...SCALE_OUT_SCENARIOS].join(', ')}`,
  );
const BASELINE_OBJECTS = quick ? 5_000 : 20_000;

export interface ScenarioResult {
  name: string;
  mode: 'test' | 'live';
  workers: number;
  objects: number;
  seconds: number;
  objectsPerSecond: number;
  ceilingObjectsPerSecond: number;
  ratioToCeiling: number;
  /** The most this account allows: no endpoint above 25 req/s, the account under its global limit. */
  achievableObjectsPerSecond: number;
  ratioToAchievable: number;
  /**
   * The same against the share of that rate Compound allows itself by default (DEFAULT_RATE_SHARE, 0.95:
   * the merchant's own integration draws from the same limit), so 1 would be a run that never lost a beat.
   */
  ratioToShare: number;
  requests: number;
  rateLimited: number;
  rateLimitedShare: number;
  historyEvents: number;
  historyBytes: number;
  historyEventsPer1000Objects: number;
  historyBytesPer1000Objects: number;
  /** Pages the runs fetched (their summaries), and what each cost in history events and CPU ms. */
  pages: number;
  historyEventsPerPage: number;
  cpuMsPerPage: CpuPerPage;
  workerPeakRssMb: number;
  missing: number;
  duplicates: number;
  /** Where the time went: see lossBreakdown. */
  losses: LossBreakdown;
  incremental?: IncrementalResult;
}

export interface LossBreakdown {
  /** Requests answered with less than a full page (each slice ends in one; empty slices are all waste). */
  partialPageRequests: number;
  /** Created-time slices walked, over all runs. */
  slices: number;
  /** The same per run, in resource order. */
  slicesPerRun: string;
  /** Seconds before the account first reached 90 % of its request limit. */
  rampSeconds: number;
  /** Seconds after it last did. */
  tailSeconds: number;
  /** Requests per second answered between those two points. */
  steadyRequestsPerSecond: number;
  /** Requests answered in each second of the run (429s included). */
  requestsPerSecond: number[];
  /** First pages of slices answered in each second: when the runs split. */
  firstPagesPerSecond: number[];
  /**
   * Mean seconds per page, by resource: from scheduled to completed (task queue, rate limiter, Stripe,
   * SQS) and from completed until the workflow schedules its next page. Their sum × the endpoint's rate
   * is how many pages a run needs in flight (Little's law).
   */
  pageSeconds: Partial<Record<ResourceName, { inFlight: number; turnaround: number; perSecond: number[] }>>;
  /** Share of the machine's CPU time in use during the syncs (all processes: worker, services, bench). */
  machineCpuBusy: number;
}

const PAGE = 100;

function lossBreakdown(
  counters: Counters,
  summaries: SyncSummary[],
  requestLimit: number,
): Omit<LossBreakdown, 'pageSeconds' | 'machineCpuBusy'> {
  const perSecond = counters.timeline.map((t) => t.requests);
  const busy = perSecond.map((n) => n >= 0.9 * requestLimit);
  const first = busy.indexOf(true);
  const last = busy.lastIndexOf(true);
  const steady = first >= 0 ? perSecond.slice(first, last + 1) : [];
  return {
    partialPageRequests: counters.total - counters.rateLimited - Math.floor(counters.objectsServed / PAGE),
    slices: summaries.reduce((n, x) => n + x.slices, 0),
    slicesPerRun: summaries.map((x) => x.slices).join('/'),
    rampSeconds: first >= 0 ? first : perSecond.length,
    tailSeconds: first >= 0 ? perSecond.length - 1 - last : 0,
    steadyRequestsPerSecond: steady.length ? round(steady.reduce((a, b) => a + b, 0) / steady.length, 1) : 0,
    requestsPerSecond: perSecond,
    firstPagesPerSecond: counters.timeline.map((t) => t.firstPages),
  };
}

/** Busy and total jiffies of all CPUs so far (/proc/stat): the machine's load over a scenario. */
function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function runScenario(s: Scenario, services: ServiceAddresses, client: Client): Promise<ScenarioResult> {
  const admin = emulatorAdmin(services.emulatorUrl);
  const sqs = sqsClientFor(services.sqsEndpoint);
  const account = await admin.createAccount({ mode: s.mode, seed: 42, counts: s.counts });
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-${s.name}` }));
  const taskQueue = `bench-${s.name}`;
  const workers = await Promise.all(
    Array.from({ length: s.workers ?? 1 }, () => spawnBenchWorker(services, taskQueue)),
  );
  const config = {
    ...loadConfig({ ...process.env, COMPOUND_SQS_ENDPOINT: services.sqsEndpoint }),
    taskQueue,
  };
  try {
    const ids: Record<string, string> = {};
    for (const resource of RESOURCE_NAMES) {
      const { interaction } = await createInteraction(
        client,
        {
          name: `${s.name} ${resource}`,
          resource,
          frequency: resource === 'subscriptions' ? 'monthly' : 'daily',
          stripeKey: account.keys.restricted,
          queueUrl,
          stripeApiBase: services.emulatorUrl,
        },
        { config, taskQueue },
      );
      ids[resource] = interaction.id;
    }
    await admin.resetCounters(account.id);
    const cpuBefore = cpuTimes();
    const processCpu = cpuMeter({
      ...serviceCpuProbes(services),
      worker: () => workers.reduce((ms, w) => ms + processCpuMs(w.pid), 0),
    });
    const started = Date.now();
    const summaries: SyncSummary[] = await Promise.all(
      RESOURCE_NAMES.map(async (resource) =>
        client.workflow.execute('syncInteraction', {
          taskQueue,
          workflowId: `bench-${s.name}-${resource}`,
          // as the schedule starts it: an incremental interaction's first run records its events cursor
          args: await scheduleArgs(client, ids[resource]),
        }),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const cpuAfter = cpuTimes();
    const cpuUsed = processCpu();
    const machineCpuBusy = round(
      (cpuAfter.busy - cpuBefore.busy) / Math.max(1, cpuAfter.total - cpuBefore.total),
    );
    const objects = summaries.reduce((sum, x) => sum + x.objects, 0);
    const pagesFetched = summaries.reduce((sum, x) => sum + x.pages, 0);
    const expected = Object.values(s.counts).reduce((a, b) => a + b, 0);
    // The extraction stage reads the queue once the syncs are done: in production it runs elsewhere,
    // and here its CPU would come out of the same two cores as the worker's.
    const consumer = startConsumer(sqs, queueUrl!);
    while (consumer.received() < expected && consumer.idleMs() < 10000)
      await new Promise((r) => setTimeout(r, 200));
    await consumer.stop();
    const workerPeakRssMb = Math.max(...workers.map((w) => w.peakRssMb()));
    const counters = await admin.counters(account.id);
    let missing = 0;
    let distinct = 0;
    for (const resource of RESOURCE_NAMES) {
      const truth = await admin.objects(account.id, resource);
      const seen = consumer.seen.get(resource) ?? new Set();
      missing += truth.filter((o) => !seen.has(o.id)).length;
      distinct += seen.size;
    }
    let historyEvents = 0;
    let historyBytes = 0;
    const pageTimes: LossBreakdown['pageSeconds'] = {};
    for (const resource of RESOURCE_NAMES) {
      // COMPOUND_BENCH_HISTORY_DIR keeps every run's history of the single-account scenarios.
      const h = await historyOf(
        client,
        `bench-${s.name}-${resource}`,
        started,
        process.env.COMPOUND_BENCH_HISTORY_DIR,
      );
      historyEvents += h.events;
      historyBytes += h.bytes;
      pageTimes[resource] = {
        inFlight: round(h.pageSeconds / Math.max(1, h.pages)),
        turnaround: round(h.turnaroundSeconds / Math.max(1, h.pages)),
        perSecond: h.pagesPerSecond,
      };
    }
    const globalLimit = s.mode === 'live' ? 100 : 25;
    const ceiling = Math.min(globalLimit, 25 * RESOURCE_NAMES.length) * 100;
    // The ceiling above assumes all three endpoints busy for the whole run; with 200k charges against
    // 20k products, the charges endpoint's own 25 req/s is what bounds live mode.
    const pages = RESOURCE_NAMES.map((r) => Math.ceil(s.counts[r] / 100));
    const fastestSeconds = Math.max(
      ...pages.map((p) => p / 25),
      pages.reduce((a, b) => a + b, 0) / globalLimit,
    );
    const achievable = expected / fastestSeconds;
    const objectsPerSecond = objects / seconds;
    const incremental = s.incremental
      ? await runIncrementalPhase({
          client,
          admin,
          sqs,
          accountId: account.id,
          queueUrl: queueUrl!,
          taskQueue,
          ids,
          prefix: `bench-${s.name}`,
        })
      : undefined;
    return {
      name: s.name,
      mode: s.mode,
      workers: s.workers ?? 1,
      objects,
      seconds: round(seconds),
      objectsPerSecond: round(objectsPerSecond, 0),
      ceilingObjectsPerSecond: ceiling,
      ratioToCeiling: round(objectsPerSecond / ceiling, 3),
      achievableObjectsPerSecond: round(achievable, 0),
      ratioToAchievable: round(objectsPerSecond / achievable, 3),
      ratioToShare: round(objectsPerSecond / (achievable * DEFAULT_RATE_SHARE), 3),
      requests: counters.total,
      rateLimited: counters.rateLimited,
      rateLimitedShare: round(counters.rateLimited / Math.max(1, counters.total), 4),
      historyEvents,
      historyBytes,
      historyEventsPer1000Objects: round((historyEvents / objects) * 1000, 1),
      historyBytesPer1000Objects: round((historyBytes / objects) * 1000, 0),
      pages: pagesFetched,
      historyEventsPerPage: round(historyEvents / Math.max(1, pagesFetched), 1),
      cpuMsPerPage: cpuMsPerPage(cpuUsed, pagesFetched),
      workerPeakRssMb: round(workerPeakRssMb, 1),
      missing,
      duplicates: consumer.received() - distinct,
      losses: {
        ...lossBreakdown(counters, summaries, Math.min(globalLimit, 25 * RESOURCE_NAMES.length)),
        pageSeconds: pageTimes,
        machineCpuBusy,
      },
      ...(incremental && { incremental }),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    sqs.destroy();
  }
}

function printTable(
  results: ScenarioResult[],
  baseline: { objectsPerSecond: number; objects: number; seconds: number },
) {
  const rows = results.map((r) => ({
    scenario: r.name,
    objects: r.objects,
    seconds: r.seconds,
    'objects/s': r.objectsPerSecond,
    ceiling: r.ceilingObjectsPerSecond,
    ratio: r.ratioToCeiling,
    achievable: r.achievableObjectsPerSecond,
    'ratio/ach.': r.ratioToAchievable,
    'ratio/share': r.ratioToShare,
    requests: r.requests,
    '429s': r.rateLimited,
    'events/1k': r.historyEventsPer1000Objects,
    'bytes/1k': r.historyBytesPer1000Objects,
    'rss MB': r.workerPeakRssMb,
    missing: r.missing,
    dupes: r.duplicates,
  }));
  console.table(rows);
  console.table(
    results.map(
      ({
        name,
        historyEventsPerPage,
        cpuMsPerPage,
        losses: { requestsPerSecond: _, firstPagesPerSecond: __, pageSeconds, ...losses },
      }) => ({
        scenario: name,
        ...losses,
        'events/page': historyEventsPerPage,
        'worker ms/page': cpuMsPerPage.worker,
        'server ms/page': cpuMsPerPage.temporal,
        secondsPerPage: Object.entries(pageSeconds)
          .map(([r, t]) => `${r} ${t.inFlight}+${t.turnaround}`)
          .join(', '),
      }),
    ),
  );
  for (const r of results.filter((x) => x.incremental)) {
    const inc = r.incremental!;
    console.log(`${r.name}, incremental runs after the snapshot:`);
    console.table(
      inc.quiet.map((q) => ({
        'nothing changed': q.resource,
        content: q.content,
        requests: q.requests,
        seconds: q.seconds,
      })),
    );
    console.log(
      `  ${inc.changes.updates} updates + ${inc.changes.deletions} deletions of products: ${inc.changes.content}, ${inc.changes.requests} requests, ${inc.changes.seconds} s, missing ${inc.changes.missing}, extra ${inc.changes.extra}, tombstones ${inc.changes.tombstones}`,
    );
    console.log(
      `  cursor 31 days old: ${inc.fallback.content} of ${inc.fallback.objects} products in ${inc.fallback.seconds} s — "${inc.fallback.reason}"`,
    );
  }
  console.log(
    `baseline (autoPagingEach → SQS, ${baseline.objects} charges, test mode): ${round(baseline.objectsPerSecond, 0)} objects/s in ${round(baseline.seconds)} s`,
  );
}

async function main(): Promise<void> {
  process.env.COMPOUND_ENCRYPTION_KEYS ??= generateKeySpec('bench');
  const sealing = generateSealingKeyPair();
  process.env.COMPOUND_SEALING_PUBLIC_KEY ??= sealing.publicPem;
  process.env.COMPOUND_SEALING_PRIVATE_KEYS ??= sealing.privatePem;
  console.log(
    `compound benchmark (${quick ? 'quick' : 'full'}): starting Temporal, ElasticMQ and the Stripe emulator…`,
  );
  const services = await startLocalServices({
    emulatorArgs: [
      '--latency-base-ms',
      String(LATENCY.baseMs),
      '--latency-jitter-ms',
      String(LATENCY.jitterMs),
    ],
    elasticMqHeap: '2g',
  });
  const connection = await Connection.connect({ address: services.temporalAddress });
  const client = new Client({ connection, dataConverter: compoundDataConverter() });
  try {
    // Before any scenario, while the machine is quiet.
    const reference = await measureMachineReference(services.emulatorUrl);
    console.log(
      `machine reference: ${reference.pageJsonMs} CPU ms to parse, pack and wrap one page of 100 charges (bench/machine-reference.ts)`,
    );
    const results: ScenarioResult[] = [];
    for (const s of scenarios) {
      console.log(
        `scenario ${s.name}: ${Object.entries(s.counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')} (${s.mode} mode)`,
      );
      results.push(await runScenario(s, services, client));
      // Kept as it goes: a later scenario that fails does not lose this one's figures.
      writeFileSync(join(__dirname, 'results', 'partial.json'), JSON.stringify(results, null, 2) + '\n');
      console.log(
        `  ${results.at(-1)!.objectsPerSecond} objects/s, ratio to ceiling ${results.at(-1)!.ratioToCeiling}`,
      );
    }
    const scaleOut = await runScaleOutScenarios(services, client, scaleOutScenarios, reference);
    const header = {
      generatedAt: new Date().toISOString(),
      quick,
      machine: { cpus: cpus().length, node: process.version, reference },
      setup: {
        latencyMs: `${LATENCY.baseMs} ± ${LATENCY.jitterMs}`,
        stripeLimits: 'test 25 req/s, live 100 req/s, 25 req/s per endpoint',
      },
    };
    if (results.length === 0) {
      // `--scenario` named a many-account scenario: no single-account figures, no baseline to compare.
      printScaleOutTables(scaleOut);
      return writeReport({ ...header, scaleOut });
    }
    const admin = emulatorAdmin(services.emulatorUrl);
    const sqs = sqsClientFor(services.sqsEndpoint);
    const account = await admin.createAccount({
      mode: 'test',
      seed: 7,
      counts: { charges: BASELINE_OBJECTS, products: 0, subscriptions: 0 },
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-baseline' }));
    console.log(`baseline: autoPagingEach over ${BASELINE_OBJECTS} charges…`);
    const baseline = await runBaseline({
      stripeKey: account.keys.restricted,
      apiBase: services.emulatorUrl,
      sqs,
      queueUrl: QueueUrl!,
      limit: BASELINE_OBJECTS,
    });
    sqs.destroy();

    printTable(results, baseline);
    printScaleOutTables(scaleOut);
    const primary = results.find((r) => r.mode === 'test') ?? results[0];
    const small = results.find((r) => r.name === 'test-20k');
    const big = results.find((r) => r.name === 'test-270k');
    writeReport({
      ...header,
      // Headline figures (test mode, the largest scenario run) under stable keys.
      objectsPerSecond: primary.objectsPerSecond,
      ceilingObjectsPerSecond: primary.ceilingObjectsPerSecond,
      ratioToCeiling: primary.ratioToCeiling,
      requests: primary.requests,
      rateLimited: primary.rateLimited,
      baselineObjectsPerSecond: round(baseline.objectsPerSecond, 0),
      speedupOverBaseline: round(primary.objectsPerSecond / baseline.objectsPerSecond, 1),
      historyEventsPer1000Objects: primary.historyEventsPer1000Objects,
      historyBytesPer1000Objects: primary.historyBytesPer1000Objects,
      workerPeakRssMb: primary.workerPeakRssMb,
      missing: results.reduce((n, r) => n + r.missing, 0),
      duplicates: results.reduce((n, r) => n + r.duplicates, 0),
      ...(small &&
        big && { workerRssGrowth20kTo270k: round(big.workerPeakRssMb / small.workerPeakRssMb - 1, 3) }),
      scenarios: results,
      ...(scaleOutScenarios.length > 0 && { scaleOut }),
      baseline: {
        objects: baseline.objects,
        seconds: round(baseline.seconds),
        baselineObjectsPerSecond: round(baseline.objectsPerSecond, 0),
      },
    });
  } finally {
    await connection.close();
    await stopLocalServices(services);
  }
}

function writeReport(report: object): void {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, only ? `${only}.json` : quick ? 'quick.json' : 'latest.json');
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
