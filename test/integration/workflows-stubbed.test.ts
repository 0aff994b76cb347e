import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FetchPageInput, FetchPageResult } from '../../activities/types';
import { compoundDataConverter } from '../../common/data-converter';
import { backfillWorkflowId } from '../../common/interaction';
import type { backfillInteraction } from '../../workflows/backfill';
import { backfillSignal, pauseSignal, resumeSignal } from '../../workflows/definitions';
import type { syncInteraction } from '../../workflows/sync';
import { services } from '../services/env';
import { waitForProgress } from '../support/backfill';

// The paging engine and the backfill queue with the fetchPage activity stubbed (@temporalio/testing on
// the dev server the tests already run): fast, and independent of Stripe, SQS and the emulator. The
// stub answers like Stripe's list (newest first, `created` filters, `starting_after`, 100 a page) over
// an in-memory account, and records which ids each page delivered.

interface Obj {
  id: string;
  created: number;
}

const T0 = Date.UTC(2024, 0, 1) / 1000;
const DAY = 86400;

/** An account whose objects crowd into a few seconds and a few days: ties and skew. */
function account(n: number): Obj[] {
  const objs: Obj[] = [];
  for (let i = 0; i < n; i++) {
    const created = i % 3 === 0 ? T0 + 5 * DAY : T0 + ((i * 7919) % (120 * DAY));
    objs.push({ id: `ch_${String(i).padStart(6, '0')}`, created });
  }
  // Stripe's order: newest first, ties by id descending.
  return objs.sort((a, b) => b.created - a.created || b.id.localeCompare(a.id));
}

function stubFetchPage(objs: Obj[], delivered: string[], failOn?: (input: FetchPageInput) => boolean) {
  return async (input: FetchPageInput): Promise<FetchPageResult> => {
    if (failOn?.(input))
      throw ApplicationFailure.nonRetryable('the key lacks Read permission', 'StripePermissionError');
    let inRange = objs.filter((o) => o.created >= input.slice.gte && o.created < input.slice.lt);
    if (input.startingAfter)
      inRange = inRange.slice(inRange.findIndex((o) => o.id === input.startingAfter) + 1);
    const page = inRange.slice(0, 100);
    delivered.push(...page.map((o) => o.id));
    const last = page.at(-1);
    return {
      count: page.length,
      bytes: page.length * 100,
      hasMore: inRange.length > page.length,
      nextCursor: last?.id,
      nextCursorCreated: last?.created,
      ...(input.page === 0 && page.length > 0 && { firstCreated: page[0].created }),
    };
  };
}

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await TestWorkflowEnvironment.createFromExistingServer({
    address: services().temporalAddress,
    client: { dataConverter: compoundDataConverter() },
  });
});
afterAll(() => env?.teardown());

async function withStubWorker<T>(
  fetchPage: ReturnType<typeof stubFetchPage>,
  fn: (taskQueue: string) => Promise<T>,
) {
  const taskQueue = `stub-${Math.random().toString(36).slice(2, 10)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: process.env.COMPOUND_TEST_WORKFLOW_BUNDLE! },
    dataConverter: compoundDataConverter(),
    activities: { fetchPage },
  });
  return worker.runUntil(fn(taskQueue));
}

it('a sync delivers every object exactly once — ties on one second, skew, splits, continue-as-new', async () => {
  const objs = account(5000);
  const delivered: string[] = [];
  const summary = await withStubWorker(stubFetchPage(objs, delivered), (taskQueue) =>
    env.client.workflow.execute<typeof syncInteraction>('syncInteraction', {
      taskQueue,
      workflowId: `stub-sync-${Date.now()}`,
      args: [
        {
          interactionId: 'stub',
          options: { range: { gte: T0, lt: T0 + 200 * DAY }, concurrency: 8, continueAsNewAfterPages: 9 },
        },
      ],
    }),
  );
  expect(new Set(delivered)).toEqual(new Set(objs.map((o) => o.id)));
  expect(delivered).toHaveLength(objs.length);
  expect(summary.objects).toBe(objs.length);
  expect(summary.continuedAsNew).toBeGreaterThanOrEqual(3);
  // The engine split the one slice it starts with, and stayed within its request budget.
  expect(summary.slices).toBeGreaterThan(1);
  expect(summary.pages).toBeLessThanOrEqual(1.1 * Math.ceil(objs.length / 100) + 2);
});

it('a page that fails for good fails the sync with its reason', async () => {
  const objs = account(800);
  const failure = await withStubWorker(
    stubFetchPage(objs, [], (input) => input.page === 2),
    (taskQueue) =>
      env.client.workflow
        .execute<typeof syncInteraction>('syncInteraction', {
          taskQueue,
          workflowId: `stub-fail-${Date.now()}`,
          args: [
            { interactionId: 'stub', options: { range: { gte: T0, lt: T0 + 200 * DAY }, concurrency: 2 } },
          ],
        })
        .catch((e: Error) => e),
  );
  expect(String((failure as Error & { cause?: { cause?: Error } }).cause?.cause?.message)).toMatch(
    /lacks Read permission/,
  );
});

it('backfill: handlers apply in the order sent, queued ranges merge, a failed range leaves the workflow available', async () => {
  const objs = account(3000);
  const delivered: string[] = [];
  const inWindow = (gte: number, lt: number) =>
    objs.filter((o) => o.created >= gte && o.created < lt).map((o) => o.id);
  await withStubWorker(
    stubFetchPage(objs, delivered, (input) => input.slice.gte >= T0 + 100 * DAY),
    async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof backfillInteraction>('backfillInteraction', {
        taskQueue,
        workflowId: backfillWorkflowId(`stub-${Date.now()}`),
        args: [{ interactionId: 'stub', options: { concurrency: 4, continueAsNewAfterPages: 5 } }],
      });
      // Paused before the ranges arrive: they queue (merged where they touch), then run in order.
      await handle.signal(pauseSignal);
      await handle.signal(backfillSignal, { from: T0, to: T0 + 10 * DAY });
      await handle.signal(backfillSignal, { from: T0 + 10 * DAY, to: T0 + 30 * DAY });
      await handle.signal(backfillSignal, { from: T0 + 100 * DAY, to: T0 + 110 * DAY });
      const paused = await waitForProgress(handle, (p) => p.queued.length === 2);
      expect(paused.queued.map((q) => [q.range, q.requests])).toEqual([
        [{ gte: T0, lt: T0 + 30 * DAY }, ['r1-r2']],
        [{ gte: T0 + 100 * DAY, lt: T0 + 110 * DAY }, ['r3']],
      ]);
      await handle.signal(resumeSignal);
      const done = await waitForProgress(handle, (p) => p.finished.length === 2 && p.state === 'idle');
      expect(done.finished.map((f) => f.status)).toEqual(['completed', 'failed']);
      expect(done.lastError).toMatch(/lacks Read permission/);
      expect(new Set(delivered)).toEqual(new Set(inWindow(T0, T0 + 30 * DAY)));
      expect(delivered).toHaveLength(inWindow(T0, T0 + 30 * DAY).length);
      expect(done.continuedAsNew).toBeGreaterThanOrEqual(1);
      await handle.terminate('test done');
    },
  );
});
