import { WorkflowUpdateFailedError } from '@temporalio/client';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import {
  backfillSignal,
  cancelSignal,
  pauseSignal,
  requestBackfillUpdate,
  resumeSignal,
} from '../../workflows/definitions';
import { services } from '../services/env';
import { finishedRequest, startBackfill, waitForProgress } from '../support/backfill';
import { emulatedInteraction } from '../support/interaction-fixture';
import { drainQueue, envelopes, objectIds, uniqueName } from '../support/sqs';
import { useHarness } from '../support/temporal';
import { spawnWorker } from '../support/worker-process';

// The backfill workflow on real services: ranges requested by signal or update reach SQS exactly.

const admin = emulatorAdmin(services().emulatorUrl);
const DAY = 86400;
const h = useHarness();

const SPAN = { from: Date.UTC(2024, 0, 1) / 1000, to: Date.UTC(2024, 6, 1) / 1000 };
const iso = (s: number) => new Date(s * 1000).toISOString();

async function setup(
  charges: number,
  taskQueue = h.worker.taskQueue,
  options?: Parameters<typeof startBackfill>[2]['options'],
) {
  const {
    account,
    queueUrl,
    id,
    idsCreatedIn: truthIn,
  } = await emulatedInteraction(h.client, h.sqs, {
    prefix: 'bf',
    taskQueue,
    account: { mode: 'test', counts: { charges, products: 0, subscriptions: 0 }, span: SPAN },
  });
  const handle = await startBackfill(h.client, taskQueue, { interactionId: id, options });
  return { account, queueUrl, id, handle, truthIn };
}

it('a signalled range reaches SQS exactly: nothing outside it, nothing missing', async () => {
  const { queueUrl, handle, truthIn } = await setup(3000);
  const gte = SPAN.from + 30 * DAY;
  const lt = SPAN.from + 90 * DAY;
  await handle.signal(backfillSignal, { from: iso(gte), to: iso(lt) });
  const progress = await waitForProgress(handle, (p) => p.finished.length === 1);
  expect(progress.finished[0]).toMatchObject({ status: 'completed', range: { gte, lt } });
  const messages = await drainQueue(h.sqs, queueUrl);
  const expected = await truthIn(gte, lt);
  expect(expected.length).toBeGreaterThan(500);
  expect(objectIds(messages).distinct).toEqual(new Set(expected));
  expect(new Set(envelopes(messages).map((e) => e.run.kind))).toEqual(new Set(['backfill']));
  expect(progress.state).toBe('idle');
});

it('the update path: valid ranges are accepted with a request id, bad ones rejected synchronously', async () => {
  const { queueUrl, handle, truthIn } = await setup(1000);
  const accepted = await handle.executeUpdate(requestBackfillUpdate, {
    args: [{ from: SPAN.from, to: SPAN.from + 60 * DAY }],
  });
  expect(accepted).toMatchObject({
    requestId: 'r1',
    ranges: [{ gte: SPAN.from, lt: SPAN.from + 60 * DAY }],
    merged: false,
  });
  const bad = await handle
    .executeUpdate(requestBackfillUpdate, { args: [{ from: '2024-05-01', to: '2024-04-01' }] })
    .catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((bad as WorkflowUpdateFailedError).cause?.message).toMatch(
    /"from" \(2024-05-01T00:00:00Z\) must be before "to"/,
  );
  await waitForProgress(handle, finishedRequest(accepted.requestId));
  expect(objectIds(await drainQueue(h.sqs, queueUrl)).distinct).toEqual(
    new Set(await truthIn(SPAN.from, SPAN.from + 60 * DAY)),
  );
});

it('bad input from the UI lands in progress.rejected and the workflow keeps working', async () => {
  const { handle } = await setup(50);
  const bad: unknown[] = [
    'not json at all',
    42,
    { from: 'yesterday' },
    { from: '2024-05-01', to: '2024-04-01' },
    { from: '2031-01-01' },
    { from: '1999-01-01', to: '2000-01-01' },
    { from: '2024-01-01', until: '2024-02-01' },
  ];
  for (const input of bad) await handle.signal(backfillSignal, input);
  const progress = await waitForProgress(handle, (p) => p.rejected.length === bad.length);
  expect(progress.rejected.map((r) => r.reason)).toEqual([
    expect.stringMatching(/expected a JSON object/),
    expect.stringMatching(/expected a JSON object/),
    expect.stringMatching(/"from" is not a date: "yesterday"/),
    expect.stringMatching(/must be before "to"/),
    expect.stringMatching(/starts in the future/),
    expect.stringMatching(/before Stripe existed/),
    expect.stringMatching(/unknown field "until"/),
  ]);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await handle.signal(backfillSignal, { from: iso(SPAN.from) });
  await waitForProgress(handle, (p) => p.finished.length === 1 && p.finished[0].status === 'completed');
});

it('pause holds queued ranges, resume runs them; overlapping requests are merged, nothing fetched twice', async () => {
  const { queueUrl, handle, truthIn } = await setup(2000);
  await handle.signal(pauseSignal);
  await handle.signal(backfillSignal, { from: iso(SPAN.from), to: iso(SPAN.from + 40 * DAY) });
  await handle.signal(backfillSignal, { from: iso(SPAN.from + 20 * DAY), to: iso(SPAN.from + 80 * DAY) });
  await handle.signal(backfillSignal, { from: iso(SPAN.from + 120 * DAY), to: iso(SPAN.from + 150 * DAY) });
  const paused = await waitForProgress(
    handle,
    (p) => p.queued.length === 2 && p.queued[1].requests[0] === 'r3',
  );
  expect(paused.queued.map((q) => q.requests)).toEqual([['r1-r2'], ['r3']]);
  expect(paused.state).toBe('paused');
  expect(paused.current).toBeUndefined();
  expect(paused.queued.map((q) => q.range)).toEqual([
    { gte: SPAN.from, lt: SPAN.from + 80 * DAY },
    { gte: SPAN.from + 120 * DAY, lt: SPAN.from + 150 * DAY },
  ]);
  await handle.signal(resumeSignal);
  const done = await waitForProgress(handle, (p) => p.finished.length === 2);
  expect(done.finished.map((f) => f.status)).toEqual(['completed', 'completed']);
  const ids = objectIds(await drainQueue(h.sqs, queueUrl));
  const expected = [
    ...(await truthIn(SPAN.from, SPAN.from + 80 * DAY)),
    ...(await truthIn(SPAN.from + 120 * DAY, SPAN.from + 150 * DAY)),
  ];
  expect(ids.all.length).toBe(expected.length);
  expect(ids.distinct).toEqual(new Set(expected));
});

it('cancel stops the running range; the queued one still runs', async () => {
  const { queueUrl, handle, truthIn } = await setup(4000, h.worker.taskQueue, { concurrency: 1 });
  await admin.setConfig({ latency: { baseMs: 100, perObjectMs: 0, jitterMs: 0 } });
  try {
    await handle.signal(backfillSignal, { from: iso(SPAN.from), to: iso(SPAN.to) });
    await handle.signal(backfillSignal, { from: iso(SPAN.to + DAY), to: iso(SPAN.to + 2 * DAY) });
    await waitForProgress(handle, (p) => (p.current?.pages ?? 0) >= 3);
    await handle.signal(cancelSignal);
    const done = await waitForProgress(handle, (p) => p.finished.length === 2);
    expect(done.finished.map((f) => f.status)).toEqual(['cancelled', 'completed']);
    expect(done.finished[0].objects).toBeLessThan(4000);
    const ids = objectIds(await drainQueue(h.sqs, queueUrl));
    expect(ids.distinct.size).toBe(done.finished[0].objects);
    expect(await truthIn(SPAN.to + DAY, SPAN.to + 2 * DAY)).toHaveLength(0);
  } finally {
    await admin.setConfig({ latency: { baseMs: 0, perObjectMs: 0, jitterMs: 0 } });
  }
});

it('continue-as-new keeps the queue, progress and history of finished and rejected requests', async () => {
  // One page a run: each range spans several runs, however the paging plan splits it.
  const { queueUrl, handle, truthIn } = await setup(2500, h.worker.taskQueue, {
    continueAsNewAfterPages: 1,
    concurrency: 2,
  });
  await handle.signal(backfillSignal, { from: 'soon' });
  await handle.signal(backfillSignal, { from: iso(SPAN.from), to: iso(SPAN.from + 60 * DAY) });
  await handle.signal(backfillSignal, { from: iso(SPAN.from + 100 * DAY), to: iso(SPAN.to) });
  const done = await waitForProgress(handle, (p) => p.finished.length === 2);
  expect(done.continuedAsNew).toBeGreaterThanOrEqual(2);
  expect(done.rejected).toHaveLength(1);
  expect(done.finished.every((f) => f.status === 'completed')).toBe(true);
  const expected = [
    ...(await truthIn(SPAN.from, SPAN.from + 60 * DAY)),
    ...(await truthIn(SPAN.from + 100 * DAY, SPAN.to)),
  ];
  const ids = objectIds(await drainQueue(h.sqs, queueUrl));
  expect(ids.distinct).toEqual(new Set(expected));
  expect(done.totals.objects).toBe(expected.length);
});

it('SIGKILL of the worker mid-range: a new worker completes the range with nothing missing', async () => {
  const taskQueue = uniqueName('bfcrash');
  const first = await spawnWorker(taskQueue);
  await first.ready;
  const { queueUrl, handle, truthIn } = await setup(3000, taskQueue, {
    concurrency: 2,
    pageTimeoutSeconds: 5,
  });
  await admin.setConfig({ latency: { baseMs: 150, perObjectMs: 0, jitterMs: 50 } });
  let second: Awaited<ReturnType<typeof spawnWorker>> | undefined;
  try {
    await handle.signal(backfillSignal, { from: iso(SPAN.from), to: iso(SPAN.to) });
    await waitForProgress(handle, (p) => (p.current?.pages ?? 0) >= 5);
    first.child.kill('SIGKILL');
    await first.exited;
    second = await spawnWorker(taskQueue);
    await second.ready;
    const done = await waitForProgress(handle, (p) => p.finished.length === 1);
    expect(done.finished[0].status).toBe('completed');
    expect(objectIds(await drainQueue(h.sqs, queueUrl)).distinct).toEqual(
      new Set(await truthIn(SPAN.from, SPAN.to)),
    );
  } finally {
    await admin.setConfig({ latency: { baseMs: 0, perObjectMs: 0, jitterMs: 0 } });
    second?.child.kill('SIGTERM');
    await second?.exited;
    await handle.cancel();
  }
});
