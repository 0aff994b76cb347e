import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { CreateQueueCommand, PurgeQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageCompression } from '../common/interaction';
import type { Client } from '@temporalio/client';
import { createInteraction } from '../client/interactions';
import { loadConfig } from '../common/config';
import type { ServiceAddresses } from '../dev/local-services';
import { sqsClientFor } from '../dev/services';
import { emulatorAdmin, type EmulatorAdmin } from '../dev/stripe-emulator/admin-client';
import type { SyncSummary } from '../workflows/definitions';
import { historyOf, type HistoryStats } from './history';
import { scheduleArgs } from './incremental';

// Many accounts on one task queue (issue 16's scale-out scenarios): one emulator account and one charges
// interaction per tenant, every run started at once as schedules firing in the same minute would.

export interface Tenant {
  accountId: string;
  interactionId: string;
  charges: number;
  /** Objects per page the interaction asks for. */
  pageSize: number;
}

export interface TenantBench {
  client: Client;
  admin: EmulatorAdmin;
  sqs: SQSClient;
  services: ServiceAddresses;
  queueUrl: string;
  taskQueue: string;
}

/** Emulator calls and schedule creation at once are what a 2-core machine can take without timeouts. */
const PARALLEL = 8;

/** `fn` over `items`, at most `parallel` at a time, results in order. */
export async function inBatches<T, R>(
  items: T[],
  parallel: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, lane));
  return results;
}

export async function tenantBench(
  services: ServiceAddresses,
  client: Client,
  name: string,
): Promise<TenantBench> {
  const sqs = sqsClientFor(services.sqsEndpoint);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-${name}` }));
  return {
    client,
    admin: emulatorAdmin(services.emulatorUrl),
    sqs,
    services,
    queueUrl: QueueUrl!,
    taskQueue: `bench-${name}`,
  };
}

/** Drops what the runs sent (the fairness scenario reads none of it). */
export async function purgeQueue(b: TenantBench): Promise<void> {
  await b.sqs.send(new PurgeQueueCommand({ QueueUrl: b.queueUrl }));
}

/**
 * One account and one charges interaction per entry of `charges`. Snapshot mode, so every run reads
 * every object: the fairness scenario syncs the same accounts again in other company.
 */
export async function createTenants(
  b: TenantBench,
  prefix: string,
  charges: number[],
  o: { compression?: MessageCompression; pageSize?: number } = {},
): Promise<Tenant[]> {
  const config = {
    ...loadConfig({ ...process.env, COMPOUND_SQS_ENDPOINT: b.services.sqsEndpoint }),
    taskQueue: b.taskQueue,
  };
  return inBatches(
    charges.map((count, i) => ({ count, i })),
    PARALLEL,
    async ({ count, i }) => {
      const account = await b.admin.createAccount({
        mode: 'test',
        seed: 1000 + i,
        counts: { charges: count, products: 0, subscriptions: 0 },
      });
      const { interaction } = await createInteraction(
        b.client,
        {
          name: `${prefix} ${String(i).padStart(3, '0')} charges`,
          resource: 'charges',
          frequency: 'daily',
          mode: 'snapshot',
          compression: o.compression ?? 'none',
          ...(o.pageSize && { pageSize: o.pageSize }),
          stripeKey: account.keys.restricted,
          queueUrl: b.queueUrl,
          stripeApiBase: b.services.emulatorUrl,
        },
        { config, taskQueue: b.taskQueue },
      );
      return {
        accountId: account.id,
        interactionId: interaction.id,
        charges: count,
        pageSize: interaction.pageSize,
      };
    },
  );
}

export interface TenantRun {
  tenant: Tenant;
  workflowId: string;
  summary: SyncSummary;
  /** From the common start to this run's result. */
  seconds: number;
}

export interface TenantSync {
  runs: TenantRun[];
  startedAtMs: number;
  /** Until the last run finished. */
  seconds: number;
}

/**
 * Starts every tenant's sync at once, with the arguments its schedule uses, and waits for all. The
 * emulator's counters (every account's) start at zero with them, so its timeline's seconds are the runs'.
 */
export async function syncTenants(b: TenantBench, tenants: Tenant[], phase: string): Promise<TenantSync> {
  const args = await inBatches(tenants, PARALLEL, (t) => scheduleArgs(b.client, t.interactionId));
  await b.admin.resetCounters();
  const startedAtMs = Date.now();
  const runs = await Promise.all(
    tenants.map(async (tenant, i) => {
      const workflowId = `bench-${phase}-${tenant.interactionId}`;
      const handle = await b.client.workflow.start('syncInteraction', {
        taskQueue: b.taskQueue,
        workflowId,
        args: args[i],
      });
      const summary: SyncSummary = await handle.result();
      return { tenant, workflowId, summary, seconds: (Date.now() - startedAtMs) / 1000 };
    }),
  );
  return { runs, startedAtMs, seconds: (Date.now() - startedAtMs) / 1000 };
}

/** Every run's history, fetched a few at a time. */
export async function tenantHistories(b: TenantBench, sync: TenantSync): Promise<HistoryStats[]> {
  return inBatches(sync.runs, PARALLEL, (r) => historyOf(b.client, r.workflowId, sync.startedAtMs));
}

/**
 * Stripe requests (429s not counted) each run made against the page count a perfect walk needs,
 * ceil(objects / page size); issue 16's target is at most 1.1 × ideal + 2 per run.
 */
export async function requestsPerRun(b: TenantBench, runs: TenantRun[]) {
  const perRun = await inBatches(runs, PARALLEL, async (r) => {
    const c = await b.admin.counters(r.tenant.accountId);
    const ideal = Math.ceil(r.tenant.charges / r.tenant.pageSize);
    if (c.total - c.rateLimited > 1.1 * ideal + 2) await saveHistory(b, r.workflowId);
    return {
      requests: c.total - c.rateLimited,
      ratio: (c.total - c.rateLimited) / ideal,
      ideal,
      rateLimited: c.rateLimited,
      // What the run itself counted: pages, the slices it cut, and page attempts Temporal retried
      // (each retry asks Stripe again), to tell a run that split too often from one that was retried.
      pages: r.summary.pages,
      slices: r.summary.slices,
      retriedAttempts: r.summary.requests - r.summary.pages,
    };
  });
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    max: Math.max(...perRun.map((r) => r.requests)),
    mean: round(perRun.reduce((n, r) => n + r.requests, 0) / perRun.length),
    /** Worst run against its own ideal. */
    maxRatioToIdeal: round(Math.max(...perRun.map((r) => r.ratio))),
    ideal: Math.max(...perRun.map((r) => r.ideal)),
    overTarget: perRun.filter((r) => r.requests > 1.1 * r.ideal + 2).length,
    overTargetRuns: perRun
      .filter((r) => r.requests > 1.1 * r.ideal + 2)
      .map(({ requests, ideal, pages, slices, retriedAttempts }) => ({
        requests,
        ideal,
        pages,
        slices,
        retriedAttempts,
      })),
    rateLimited: perRun.reduce((n, r) => n + r.rateLimited, 0),
  };
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

/** `COMPOUND_BENCH_HISTORY_DIR=dir` keeps the history of each run over its request target there (payloads stay encrypted). */
async function saveHistory(b: TenantBench, workflowId: string): Promise<void> {
  const dir = process.env.COMPOUND_BENCH_HISTORY_DIR;
  if (!dir) return;
  const history = await b.client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(join(dir, `${workflowId}.json`), historyToJSON(history));
}
