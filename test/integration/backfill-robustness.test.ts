import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { BACKFILL_LIMITS } from '../../workflows/backfill-queue';
import { backfillProgressQuery, backfillSignal, requestBackfillUpdate } from '../../workflows/definitions';
import { startBackfill, waitForProgress } from '../support/backfill';
import { emulatedInteraction } from '../support/interaction-fixture';
import { drainQueue, objectIds } from '../support/sqs';
import { useHarness } from '../support/temporal';
import { inBatches, workflowTaskFailures } from '../support/workflow-health';

// The backfill workflow is what every operator can reach from the Web UI: no input may break it. Each
// case sends what a careless person or script would, then checks that the workflow task never failed,
// the workflow still answers its query, and a valid range sent afterwards is synced exactly.

const h = useHarness();
const SPAN = { from: Date.UTC(2024, 0, 1) / 1000, to: Date.UTC(2024, 6, 1) / 1000 };
const DAY = 86400;
const iso = (s: number) => new Date(s * 1000).toISOString();

async function setup(charges: number) {
  const fixture = await emulatedInteraction(h.client, h.sqs, {
    prefix: 'robust',
    taskQueue: h.worker.taskQueue,
    account: { mode: 'test', counts: { charges, products: 0, subscriptions: 0 }, span: SPAN },
  });
  const handle = await startBackfill(h.client, h.worker.taskQueue, { interactionId: fixture.id });
  return { ...fixture, handle };
}

async function expectHealthy(handle: WorkflowHandle) {
  const { failures } = await workflowTaskFailures(
    h.client,
    handle.workflowId,
    (await h.client.workflow.getHandle(handle.workflowId).describe()).raw.workflowExecutionInfo!.firstRunId!,
  );
  expect(failures).toEqual([]);
  expect((await h.client.workflow.getHandle(handle.workflowId).describe()).status.name).toBe('RUNNING');
}

/** Sends a valid range and checks that exactly its objects arrive. */
async function expectSyncsExactly(
  f: Awaited<ReturnType<typeof setup>>,
  gte: number,
  lt: number,
  finishedBefore: number,
) {
  await drainQueue(h.sqs, f.queueUrl);
  await f.handle.signal(backfillSignal, { from: iso(gte), to: iso(lt) });
  const done = await waitForProgress(
    f.handle,
    (p) => p.finished.length > finishedBefore && p.state === 'idle',
  );
  expect(done.finished.at(-1)).toMatchObject({ status: 'completed', range: { gte, lt } });
  const ids = objectIds(await drainQueue(h.sqs, f.queueUrl));
  expect(ids.distinct).toEqual(new Set(await f.idsCreatedIn(gte, lt)));
  expect(ids.all).toHaveLength(ids.distinct.size);
}

it('a unix time in milliseconds (or far past 9999) is rejected with a reason, and the workflow stays healthy', async () => {
  const f = await setup(300);
  await f.handle.signal(backfillSignal, { from: 100_000_000_000_000 });
  await f.handle.signal(backfillSignal, { from: 1_704_067_200_000 });
  await f.handle.signal(backfillSignal, { from: 1e300, to: -1 });
  const p = await waitForProgress(f.handle, (x) => x.rejected.length === 3);
  expect(p.rejected.map((r) => r.reason)).toEqual([
    expect.stringMatching(/100000000000000 is past the year 9999/),
    expect.stringMatching(/looks like milliseconds.*did you mean 1704067200 \(2024-01-01T00:00:00Z\)/),
    expect.stringMatching(/past the year 9999/),
  ]);
  const update = await f.handle
    .executeUpdate(requestBackfillUpdate, { args: [{ from: 1_704_067_200_000 }] })
    .catch((e: unknown) => e);
  expect(update).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((update as WorkflowUpdateFailedError).cause?.message).toMatch(/looks like milliseconds/);
  await expectSyncsExactly(f, SPAN.from, SPAN.from + 60 * DAY, 0);
  await expectHealthy(f.handle);
});

it('twelve 400 kB signals with unknown keys are rejected in a bounded log; the workflow stays healthy', async () => {
  const f = await setup(300);
  const big = (n: number) =>
    Object.fromEntries(Array.from({ length: 4200 }, (_, i) => [`key-${n}-${i}-${'k'.repeat(80)}`, i]));
  expect(JSON.stringify(big(0)).length).toBeGreaterThan(400_000);
  for (let n = 0; n < 12; n++) await f.handle.signal(backfillSignal, big(n));
  const p = await waitForProgress(f.handle, (x) => x.rejectedCount === 12);
  expect(p.rejected[0].reason).toMatch(
    /^unknown fields "key-0-0-k+… \(90 characters\), .* and 4197 more: only "from" and "to"/,
  );
  expect(p.rejected[0].input.length).toBeLessThanOrEqual(BACKFILL_LIMITS.inputChars + 40);
  expect(JSON.stringify(p).length).toBeLessThan(20_000);
  await expectSyncsExactly(f, SPAN.from, SPAN.from + 60 * DAY, 0);
  await expectHealthy(f.handle);
});

it('a burst of 10,000 signals (9,000 invalid, 1,000 valid overlapping ranges) ends with the valid ranges synced exactly, while another backfill on the worker walks 50,000 objects exactly once', async () => {
  const f = await setup(6000);
  const walker = await setup(50_000);
  await walker.handle.signal(backfillSignal, { from: iso(SPAN.from), to: iso(SPAN.to) });
  // 1,000 windows of 10 days, each starting 4 hours after the last: together 2024-01-01 → ~2024-07-01.
  const valid = Array.from({ length: 1000 }, (_, i) => {
    const gte = SPAN.from + i * 4 * 3600;
    return { from: gte, to: gte + 10 * DAY };
  });
  const union = { gte: SPAN.from, lt: SPAN.from + 999 * 4 * 3600 + 10 * DAY };
  const invalid = Array.from(
    { length: 9000 },
    (_, i) => [{ from: 'yesterday' }, { from: 1e14 + i }, 'text', [i], { until: i }, null][i % 6],
  );
  // Interleaved, as a script gone wrong would send them.
  const burst = [...invalid];
  valid.forEach((v, i) => burst.splice(i * 10 + 5, 0, v));
  // Both workflows are queried all along, as the CLI's progress bar and the Web UI do. While a burst
  // keeps its workflow tasks back to back, a query may wait past its deadline: that is load, not
  // breakage, so such timeouts are counted, and the workflows must answer again afterwards.
  let querying = true;
  const queries = (async () => {
    const count = { answered: 0, timedOut: 0 };
    while (querying) {
      for (const handle of [f.handle, walker.handle]) {
        await handle.query(backfillProgressQuery).then(
          () => (count.answered += 1),
          (err: Error) => {
            if (!/query timed out/.test(String(err.cause ?? err))) throw err;
            count.timedOut += 1;
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return count;
  })();
  await inBatches(burst, 64, (input) => f.handle.signal(backfillSignal, input));

  const done = await waitForProgress(
    f.handle,
    (p) => p.rejectedCount === 9000 && p.state === 'idle',
    600_000,
  );
  const walked = await waitForProgress(walker.handle, (p) => p.finished.length === 1, 600_000);
  querying = false;
  const count = await queries;
  expect(count.answered).toBeGreaterThan(10);
  console.log(`queries during the burst: ${count.answered} answered, ${count.timedOut} timed out`);
  // Every signal was accepted by the server (a refusal would have thrown above): the workflow handed
  // over to a new run before Temporal's per-run signal limit.
  expect(done.continuedAsNew).toBeGreaterThanOrEqual(1);
  expect(done.queued).toEqual([]);
  expect(done.finished.every((r) => r.status === 'completed')).toBe(true);
  const ids = objectIds(await drainQueue(h.sqs, f.queueUrl));
  const expected = await f.idsCreatedIn(union.gte, union.lt);
  expect(expected.length).toBeGreaterThan(5000);
  expect(ids.distinct).toEqual(new Set(expected));
  expect(ids.all).toHaveLength(ids.distinct.size);
  await expectHealthy(f.handle);

  expect(walked.finished[0]).toMatchObject({ status: 'completed', objects: 50_000 });
  const walkedIds = objectIds(await drainQueue(h.sqs, walker.queueUrl));
  expect(walkedIds.distinct).toEqual(new Set(await walker.idsCreatedIn(SPAN.from, SPAN.to)));
  expect(walkedIds.all).toHaveLength(50_000);
  await expectHealthy(walker.handle);
});
