import type { Client } from '@temporalio/client';
import type { ServiceAddresses } from '../dev/local-services';
import { maxOpen } from './history';
import { cpuMeter, cpuMsPerPage, processCpuMs, serviceCpuProbes, type CpuPerPage } from './process-cpu';
import {
  createTenants,
  percentile,
  purgeQueue,
  syncTenants,
  tenantBench,
  tenantHistories,
  type Tenant,
  type TenantBench,
  type TenantRun,
  type TenantSync,
} from './tenants';
import { spawnBenchWorker } from './worker-process';

// Issue 16's fairness check: a huge account must not hold up small ones. 200 small accounts and one
// huge one synced at once on one worker; each small run's completion is compared with the same run
// alone and with the 200 small ones without the huge one.

export const FAIRNESS = { smallAccounts: 200, smallCharges: 2_500, bigCharges: 200_000 };
/** Small accounts synced alone, one after another: the median is "the time it takes alone". */
const ALONE_RUNS = 3;
/** Runs firing in the same minute must not all start with their full 32 pages in flight. */
const FIRST_SECONDS = 5;

export interface PhaseTimes {
  /** Until the last run of the phase finished. */
  wallSeconds: number;
  /** Small runs' completion, from the phase's common start. */
  smallMaxSeconds: number;
  smallP50Seconds: number;
}

export interface FairnessResult {
  name: string;
  smallAccounts: number;
  smallCharges: number;
  bigCharges: number;
  withBig: PhaseTimes;
  withoutBig: PhaseTimes;
  alone: { medianSeconds: number; seconds: number[] };
  /** The target is ≤ 2: the slowest small run with the big one, over the median alone. */
  smallMaxWithBigToAlone: number;
  smallMaxWithoutBigToAlone: number;
  big: { seconds: number; objects: number; objectsPerSecond: number; requests: number };
  /** Every run together: pages per second, what a page cost, 429s. */
  pagesPerSecond: number;
  historyEventsPerPage: number;
  cpuMsPerPage: CpuPerPage;
  rateLimited: number;
  firstSeconds: {
    seconds: number;
    /** Pages scheduled and not yet closed, over all runs, at most. */
    maxPagesInFlight: number;
    /** The same for the busiest single run. */
    maxPagesInFlightOneRun: number;
    /** What it would be if every run started its 32 pages at once. */
    ifEveryRunStarted32: number;
    pagesScheduled: number;
    /** Stripe requests answered in each of those seconds (all accounts). */
    requestsPerSecond: number[];
  };
  /** Runs that did not deliver all their account's objects. */
  incompleteRuns: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function phaseTimes(sync: TenantSync, small: TenantRun[]): PhaseTimes {
  const seconds = small.map((r) => r.seconds);
  return {
    wallSeconds: round(sync.seconds),
    smallMaxSeconds: round(Math.max(...seconds)),
    smallP50Seconds: round(percentile(seconds, 50)),
  };
}

/** One phase's runs, the queue emptied every 10 s as they go: nothing reads it, and ElasticMQ's heap is 2 GB. */
async function syncPhase(b: TenantBench, tenants: Tenant[], phase: string) {
  const purging = setInterval(() => void purgeQueue(b).catch(() => undefined), 10_000);
  try {
    return await syncTenants(b, tenants, phase);
  } finally {
    clearInterval(purging);
    await purgeQueue(b);
  }
}

export async function runFairness(
  services: ServiceAddresses,
  client: Client,
  name: string,
): Promise<FairnessResult> {
  const b = await tenantBench(services, client, name);
  const worker = await spawnBenchWorker(services, b.taskQueue);
  try {
    const F = FAIRNESS;
    console.log(
      `  creating ${F.smallAccounts} accounts of ${F.smallCharges} charges and one of ${F.bigCharges}…`,
    );
    const tenants = await createTenants(b, name, [
      F.bigCharges,
      ...Array.from({ length: F.smallAccounts }, () => F.smallCharges),
    ]);
    const [bigTenant, ...small] = tenants;

    console.log('  all at once…');
    const cpu = cpuMeter({ ...serviceCpuProbes(services), worker: () => processCpuMs(worker.pid) });
    const together = await syncPhase(b, tenants, `${name}-together`);
    const cpuUsed = cpu();
    const totals = await b.admin.counters();
    const bigCounters = await b.admin.counters(bigTenant.accountId);
    const histories = await tenantHistories(b, together);

    console.log('  the small ones without the big one…');
    const withoutBig = await syncPhase(b, small, `${name}-small`);
    console.log('  small ones alone…');
    const alone: number[] = [];
    for (let i = 0; i < ALONE_RUNS; i++)
      alone.push((await syncPhase(b, [small[i]], `${name}-alone-${i}`)).seconds);

    const bigRun = together.runs[0];
    const pages = together.runs.reduce((n, r) => n + r.summary.pages, 0);
    const from = together.startedAtMs / 1000;
    const to = from + FIRST_SECONDS;
    const intervals = histories.flatMap((h) => h.pageIntervals);
    const aloneMedian = percentile(alone, 50);
    const withBig = phaseTimes(together, together.runs.slice(1));
    const without = phaseTimes(withoutBig, withoutBig.runs);
    return {
      name,
      smallAccounts: small.length,
      smallCharges: F.smallCharges,
      bigCharges: F.bigCharges,
      withBig,
      withoutBig: without,
      alone: { medianSeconds: round(aloneMedian), seconds: alone.map((s) => round(s)) },
      smallMaxWithBigToAlone: round(withBig.smallMaxSeconds / aloneMedian, 1),
      smallMaxWithoutBigToAlone: round(without.smallMaxSeconds / aloneMedian, 1),
      big: {
        seconds: round(bigRun.seconds),
        objects: bigRun.summary.objects,
        objectsPerSecond: round(bigRun.summary.objects / bigRun.seconds, 0),
        requests: bigCounters.total - bigCounters.rateLimited,
      },
      pagesPerSecond: round(pages / together.seconds, 1),
      historyEventsPerPage: round(histories.reduce((n, h) => n + h.events, 0) / Math.max(1, pages), 1),
      cpuMsPerPage: cpuMsPerPage(cpuUsed, pages),
      rateLimited: totals.rateLimited,
      firstSeconds: {
        seconds: FIRST_SECONDS,
        maxPagesInFlight: maxOpen(intervals, from, to),
        maxPagesInFlightOneRun: Math.max(...histories.map((h) => maxOpen(h.pageIntervals, from, to))),
        ifEveryRunStarted32: tenants.length * 32,
        pagesScheduled: intervals.filter(([start]) => start >= from && start < to).length,
        requestsPerSecond: totals.timeline.slice(0, FIRST_SECONDS).map((t) => t.requests),
      },
      incompleteRuns: [...together.runs, ...withoutBig.runs].filter(
        (r) => r.summary.objects !== r.tenant.charges,
      ).length,
    };
  } finally {
    await worker.stop();
    b.sqs.destroy();
  }
}
