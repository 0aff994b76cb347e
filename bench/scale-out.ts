import type { Client } from '@temporalio/client';
import type { ServiceAddresses } from '../dev/local-services';
import { FAIRNESS, runFairness, type FairnessResult } from './fairness';
import type { MachineReference } from './machine-reference';
import { MULTI_TENANT, runMultiTenant, SMALL_PAGE_SIZE, type MultiTenantResult } from './multi-tenant';

// Issue 16's many-account scenarios, run after the single-account ones: `multi-tenant` (one worker),
// `multi-tenant-2w` (two), the same two with gzip-compressed messages (`-gzip`), the gzip one with pages
// of 10 objects (`-10-per-page`: what a page costs apart from its objects), and `fairness`.

export const SCALE_OUT_SCENARIOS = [
  'multi-tenant',
  'multi-tenant-2w',
  'multi-tenant-gzip',
  'multi-tenant-2w-gzip',
  'multi-tenant-gzip-10-per-page',
  'fairness',
];

export interface ScaleOutResults {
  multiTenant: MultiTenantResult[];
  fairness?: FairnessResult;
}

export async function runScaleOutScenarios(
  services: ServiceAddresses,
  client: Client,
  names: string[],
  reference: MachineReference,
): Promise<ScaleOutResults> {
  const results: ScaleOutResults = { multiTenant: [] };
  for (const name of names) {
    if (name === 'fairness') {
      console.log(
        `scenario fairness: ${FAIRNESS.smallAccounts} × ${FAIRNESS.smallCharges} charges + ${FAIRNESS.bigCharges}`,
      );
      results.fairness = await runFairness(services, client, name);
      continue;
    }
    const workers = name.includes('-2w') ? 2 : 1;
    const compression = name.includes('-gzip') ? 'gzip' : 'none';
    const objectsPerPage = name.endsWith('-10-per-page') ? SMALL_PAGE_SIZE : 100;
    console.log(
      `scenario ${name}: ${MULTI_TENANT.accounts} accounts × ${(MULTI_TENANT.charges * objectsPerPage) / 100} charges, ${objectsPerPage} a page, ${workers} worker(s), messages ${compression === 'gzip' ? 'gzip-compressed' : 'plain JSON'}`,
    );
    const result = await runMultiTenant(services, client, name, workers, compression, objectsPerPage);
    result.workerCpuToReference = Math.round((10 * result.cpuMsPerPage.worker) / reference.pageJsonMs) / 10;
    results.multiTenant.push(result);
    console.log(`  ${results.multiTenant.at(-1)!.pagesPerSecond} pages/s`);
  }
  return results;
}

export function printScaleOutTables({ multiTenant, fairness }: ScaleOutResults): void {
  if (multiTenant.length)
    console.table(
      multiTenant.map((r) => ({
        scenario: r.name,
        workers: r.workers,
        compression: r.compression,
        pages: r.pages,
        seconds: r.seconds,
        'pages/s': r.pagesPerSecond,
        'requests/run max': r.requestsPerRun.max,
        mean: r.requestsPerRun.mean,
        ideal: r.requestsPerRun.ideal,
        'runs > 1.1×ideal+2': r.requestsPerRun.overTarget,
        '429s': r.rateLimited,
        'tasks in flight': r.meanPagesInFlight,
        's/page': `${r.secondsPerPage.inFlight}+${r.secondsPerPage.turnaround}`,
        'waiting for a worker': r.secondsPerPage.waitingForWorker,
        'workflow task queued+run': `${r.secondsPerWorkflowTask.queued}+${r.secondsPerWorkflowTask.run}`,
        'events/page': r.historyEventsPerPage,
        'worker ms/page': r.cpuMsPerPage.worker,
        'worker ÷ ref': r.workerCpuToReference,
        'main+workflows+v8+core': threadBreakdown(r),
        'server ms/page': r.cpuMsPerPage.temporal,
        'rss MB': r.workerPeakRssMb,
        missing: r.missing,
        dupes: r.duplicates,
      })),
    );
  for (const r of multiTenant)
    for (const run of r.requestsPerRun.overTargetRuns)
      console.log(
        `  ${r.name}: a run over 1.1 × ideal + 2: ${run.requests} requests for ${run.ideal} ideal; it counted ${run.pages} pages in ${run.slices} slices, ${run.retriedAttempts} retried attempts`,
      );
  if (!fairness) return;
  const f = fairness;
  console.log(
    `fairness: ${f.smallAccounts} × ${f.smallCharges} charges + ${f.bigCharges}, one worker. Small runs' completion (s from the common start):`,
  );
  console.table({
    'with the big one': {
      max: f.withBig.smallMaxSeconds,
      p50: f.withBig.smallP50Seconds,
      wall: f.withBig.wallSeconds,
    },
    'without it': {
      max: f.withoutBig.smallMaxSeconds,
      p50: f.withoutBig.smallP50Seconds,
      wall: f.withoutBig.wallSeconds,
    },
    alone: { max: Math.max(...f.alone.seconds), p50: f.alone.medianSeconds, wall: f.alone.medianSeconds },
  });
  console.log(
    `  slowest small run: ${f.smallMaxWithBigToAlone}× alone with the big one (target ≤ 2), ${f.smallMaxWithoutBigToAlone}× without it`,
  );
  console.log(
    `  big account: ${f.big.objects} charges in ${f.big.seconds} s, ${f.big.objectsPerSecond} objects/s, ${f.big.requests} requests`,
  );
  console.log(
    `  first ${f.firstSeconds.seconds} s: at most ${f.firstSeconds.maxPagesInFlight} fetch tasks in flight (one run: ${f.firstSeconds.maxPagesInFlightOneRun}; 32 each would be ${f.firstSeconds.ifEveryRunStarted32}), ${f.firstSeconds.pagesScheduled} scheduled, requests/s ${f.firstSeconds.requestsPerSecond.join(' ')}`,
  );
  console.log(
    `  all at once: ${f.pagesPerSecond} pages/s, ${f.historyEventsPerPage} events/page, worker ${f.cpuMsPerPage.worker} ms/page, server ${f.cpuMsPerPage.temporal} ms/page, ${f.rateLimited} 429s, ${f.incompleteRuns} incomplete runs`,
  );
}

/** The worker's ms per page by thread: main (activities, SDK bridge), workflow thread, V8 helpers (GC), Temporal core. */
function threadBreakdown(r: MultiTenantResult): string {
  const t = r.workerCpuMsPerPageByThread;
  return [t.main, t.workflows, t.v8Helpers, t.core].map((ms) => ms.toFixed(1)).join('+');
}
