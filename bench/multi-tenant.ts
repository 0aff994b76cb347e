import type { Client } from '@temporalio/client';
import type { ServiceAddresses } from '../dev/local-services';
import { startConsumer } from './consumer';
import {
  cpuMeter,
  cpuMsPerPage,
  processCpuMs,
  serviceCpuProbes,
  threadCpuMs,
  WORKER_THREAD_KINDS,
  type CpuPerPage,
  type WorkerThreadKind,
} from './process-cpu';
import { createTenants, requestsPerRun, syncTenants, tenantBench, tenantHistories } from './tenants';
import { spawnBenchWorker } from './worker-process';
import type { MessageCompression } from '../common/interaction';

// Issue 16: 40 accounts × 2,500 charges on one worker at ≥ 60 pages/s, and more with two workers.
// Each account has its own 25 req/s, so together they allow 1,000 pages/s: the worker is what binds.

export const MULTI_TENANT = { accounts: 40, charges: 2_500 };

/**
 * Pages of 10 objects (a tenth of the charges, so the same 25 pages a run): what a page costs Temporal
 * and the SDK alone, apart from the objects it carries (the `-10-per-page` scenario).
 */
export const SMALL_PAGE_SIZE = 10;

export interface MultiTenantResult {
  name: string;
  workers: number;
  compression: MessageCompression;
  accounts: number;
  objects: number;
  pages: number;
  seconds: number;
  pagesPerSecond: number;
  /** The slowest run, from the common start. */
  slowestRunSeconds: number;
  /**
   * Seconds per page from scheduled to completed and from completed to the run's next task (a task of
   * several pages shares its time among them), and the fetch tasks in flight on average (Little's law):
   * what holds throughput back when the CPU does not.
   */
  secondsPerPage: { inFlight: number; turnaround: number; waitingForWorker: number };
  /** Mean seconds a workflow task waited for the worker, and took on it (see HistoryStats). */
  secondsPerWorkflowTask: { queued: number; run: number };
  meanPagesInFlight: number;
  requestsPerRun: Awaited<ReturnType<typeof requestsPerRun>>;
  rateLimited: number;
  historyEventsPerPage: number;
  cpuMsPerPage: CpuPerPage;
  /**
   * The worker's CPU per page ÷ the machine reference (bench/machine-reference.ts, one page's JSON work
   * timed in the same run): comparable across runs on a machine whose speed varies.
   */
  workerCpuToReference?: number;
  /** The worker's CPU ms per page by thread (bench/process-cpu.ts, threadCpuMs). */
  workerCpuMsPerPageByThread: Record<WorkerThreadKind, number>;
  objectsPerPage: number;
  workerPeakRssMb: number;
  missing: number;
  duplicates: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runMultiTenant(
  services: ServiceAddresses,
  client: Client,
  name: string,
  workerCount: number,
  compression: MessageCompression = 'none',
  objectsPerPage = 100,
): Promise<MultiTenantResult> {
  const b = await tenantBench(services, client, name);
  const workers = await Promise.all(
    Array.from({ length: workerCount }, () => spawnBenchWorker(services, b.taskQueue)),
  );
  try {
    const tenants = await createTenants(
      b,
      name,
      Array.from({ length: MULTI_TENANT.accounts }, () => (MULTI_TENANT.charges * objectsPerPage) / 100),
      { compression, pageSize: objectsPerPage },
    );
    const cpu = cpuMeter({
      ...serviceCpuProbes(services),
      worker: () => workers.reduce((ms, w) => ms + processCpuMs(w.pid), 0),
    });
    const threadsBefore = threadCpuMs(workers.map((w) => w.pid));
    const sync = await syncTenants(b, tenants, name);
    const cpuUsed = cpu();
    const threadsAfter = threadCpuMs(workers.map((w) => w.pid));
    const pages = sync.runs.reduce((n, r) => n + r.summary.pages, 0);
    const objects = sync.runs.reduce((n, r) => n + r.summary.objects, 0);
    const expected = tenants.reduce((n, t) => n + t.charges, 0);

    // As in run.ts: the extraction stage reads once the syncs are done, off the worker's cores.
    const consumer = startConsumer(b.sqs, b.queueUrl);
    while (consumer.received() < expected && consumer.idleMs() < 10000)
      await new Promise((r) => setTimeout(r, 200));
    await consumer.stop();
    const seen = consumer.seen.get('charges') ?? new Set<string>();
    let missing = 0;
    for (const t of tenants)
      missing += (await b.admin.objects(t.accountId, 'charges')).filter((o) => !seen.has(o.id)).length;

    const histories = await tenantHistories(b, sync);
    const total = (of: (h: (typeof histories)[number]) => number) => histories.reduce((n, h) => n + of(h), 0);
    const historyEvents = total((h) => h.events);
    const tasks = total((h) => h.workflowTasks);
    const requests = await requestsPerRun(b, sync.runs);
    return {
      name,
      workers: workerCount,
      compression,
      accounts: tenants.length,
      objects,
      pages,
      seconds: round(sync.seconds),
      pagesPerSecond: round(pages / sync.seconds, 1),
      slowestRunSeconds: round(Math.max(...sync.runs.map((r) => r.seconds))),
      secondsPerPage: {
        inFlight: round(total((h) => h.pageSeconds) / Math.max(1, pages)),
        turnaround: round(total((h) => h.turnaroundSeconds) / Math.max(1, pages)),
        waitingForWorker: round(total((h) => h.pageQueueSeconds) / Math.max(1, pages)),
      },
      secondsPerWorkflowTask: {
        queued: round(total((h) => h.workflowTaskQueueSeconds) / Math.max(1, tasks), 3),
        run: round(total((h) => h.workflowTaskRunSeconds) / Math.max(1, tasks), 3),
      },
      meanPagesInFlight: round(total((h) => h.pageSeconds) / sync.seconds, 1),
      requestsPerRun: requests,
      rateLimited: requests.rateLimited,
      historyEventsPerPage: round(historyEvents / Math.max(1, pages), 1),
      cpuMsPerPage: cpuMsPerPage(cpuUsed, pages),
      workerCpuMsPerPageByThread: Object.fromEntries(
        WORKER_THREAD_KINDS.map((kind) => [
          kind,
          round((threadsAfter[kind] - threadsBefore[kind]) / Math.max(1, pages)),
        ]),
      ) as Record<WorkerThreadKind, number>,
      objectsPerPage,
      workerPeakRssMb: round(Math.max(...workers.map((w) => w.peakRssMb())), 1),
      missing,
      duplicates: consumer.received() - seen.size,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    b.sqs.destroy();
  }
}
