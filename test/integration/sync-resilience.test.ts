import { WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { syncProgressQuery } from '../../workflows/definitions';
import { services } from '../services/env';
import { emulatedInteraction, runSync } from '../support/interaction-fixture';
import { drainQueue, envelopes, objectIds, uniqueName } from '../support/sqs';
import { startTestWorker, useHarness, type RunningWorker } from '../support/temporal';
import { spawnWorker } from '../support/worker-process';

// What breaks other Stripe syncs: 429 storms, 5xx, a worker killed mid-run, small queues, big objects,
// history growing with the account. Each is checked against the emulator's ground truth.

const admin = emulatorAdmin(services().emulatorUrl);
const h = useHarness();

async function setup(
  counts: { charges?: number; products?: number; subscriptions?: number },
  queueAttributes = {},
  taskQueue?: string,
) {
  const resource = (Object.keys(counts)[0] ?? 'charges') as 'charges';
  const { account, queueUrl, id } = await emulatedInteraction(h.client, h.sqs, {
    prefix: 'res',
    taskQueue: taskQueue ?? h.worker.taskQueue,
    account: { mode: 'test', counts: { charges: 0, products: 0, subscriptions: 0, ...counts } },
    resource,
    queueAttributes,
  });
  return { account, queueUrl, id, resource };
}

it('a storm of 429s and 500s: the run completes with every object, and counts the 429s', async () => {
  const { account, queueUrl, id } = await setup({ charges: 1500 });
  await admin.addFault({ account: account.id, kind: 'rate_limit', probability: 0.25 });
  await admin.addFault({ account: account.id, kind: 'server_error', probability: 0.15 });
  const summary = await runSync(h.client, h.worker.taskQueue, { interactionId: id });
  const counters = await admin.counters(account.id);
  const truth = await admin.objects(account.id, 'charges');
  const ids = objectIds(await drainQueue(h.sqs, queueUrl));
  expect(ids.distinct).toEqual(new Set(truth.map((o) => o.id)));
  expect(counters.rateLimited).toBeGreaterThan(0);
  expect(summary.rateLimited).toBeGreaterThan(0);
  expect(summary.requests).toBeGreaterThan(summary.pages);
  expect(summary.objects).toBe(1500);
});

it('continue-as-new carries the cursors: nothing missing, nothing fetched twice', async () => {
  // 40 pages: a run fetches a slice's later pages up to 8 a task, so it takes that many for 2+ continues.
  const { account, queueUrl, id } = await setup({ charges: 4000 });
  const summary = await runSync(h.client, h.worker.taskQueue, {
    interactionId: id,
    options: { continueAsNewAfterPages: 4, concurrency: 3 },
  });
  const truth = await admin.objects(account.id, 'charges');
  const ids = objectIds(await drainQueue(h.sqs, queueUrl));
  expect(summary.continuedAsNew).toBeGreaterThanOrEqual(2);
  expect(ids.all).toHaveLength(truth.length);
  expect(ids.distinct).toEqual(new Set(truth.map((o) => o.id)));
  expect(summary.objects).toBe(4000);
});

describe('a worker configured for 256 KiB queues (COMPOUND_SQS_MAX_MESSAGE_BYTES)', () => {
  let smallQueueWorker: RunningWorker;
  beforeAll(async () => {
    smallQueueWorker = await startTestWorker(h.client, { sqsMaxMessageBytes: 262144 });
  });
  afterAll(async () => {
    await smallQueueWorker?.stop();
  });

  it('splits pages bigger than 256 KiB into parts that fit', async () => {
    const { account, queueUrl, id } = await setup(
      { charges: 0 },
      { MaximumMessageSize: '262144' },
      smallQueueWorker.taskQueue,
    );
    const bulky = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`note_${i}`, 'x'.repeat(480)]));
    for (let i = 0; i < 100; i++) await admin.createObject(account.id, 'charges', { metadata: bulky });
    const summary = await runSync(h.client, smallQueueWorker.taskQueue, { interactionId: id });
    const messages = await drainQueue(h.sqs, queueUrl);
    const bodies = envelopes(messages);
    expect(summary.bytes).toBeGreaterThan(2 * 262144);
    expect(messages.length).toBeGreaterThanOrEqual(4);
    for (const m of messages) expect(Buffer.byteLength(m.Body!)).toBeLessThanOrEqual(262144 - 1024);
    const pages = new Map<string, number[]>();
    for (const b of bodies)
      pages.set(`${b.page.slice.id}/${b.page.index}`, [
        ...(pages.get(`${b.page.slice.id}/${b.page.index}`) ?? []),
        b.part,
      ]);
    for (const [, parts] of pages) expect(parts.sort((a, b) => a - b)).toEqual(parts.map((_, i) => i + 1));
    const truth = await admin.objects(account.id, 'charges');
    expect(objectIds(messages).distinct).toEqual(new Set(truth.map((o) => o.id)));
  });

  it('an object too big for any message fails the run and names the object', async () => {
    const { account, id } = await setup(
      { charges: 3 },
      { MaximumMessageSize: '262144' },
      smallQueueWorker.taskQueue,
    );
    const huge = await admin.createObject(account.id, 'charges', { description: 'z'.repeat(300 * 1024) });
    const err = (await runSync(h.client, smallQueueWorker.taskQueue, { interactionId: id }).catch(
      (e: unknown) => e,
    )) as WorkflowFailedError;
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err.cause?.cause as Error).message).toContain(huge.id);
  });
});

it('keeps history under 1 KB per page, plus a small fixed part per run', async () => {
  const { id } = await setup({ charges: 2345 });
  const handle = await h.client.workflow.start('syncInteraction', {
    taskQueue: h.worker.taskQueue,
    workflowId: `history-${id}`,
    args: [{ interactionId: id }],
  });
  const summary = await handle.result();
  const { history } = await h.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: handle.workflowId },
  });
  const bytes = temporal.api.history.v1.History.encode(history!).finish().length;
  const perPage = bytes / summary.pages;
  const byType = new Map<string, { n: number; bytes: number }>();
  for (const e of history!.events ?? []) {
    const t = temporal.api.enums.v1.EventType[e.eventType ?? 0];
    const b = byType.get(t) ?? { n: 0, bytes: 0 };
    b.n += 1;
    b.bytes += temporal.api.history.v1.HistoryEvent.encode(e).finish().length;
    byType.set(t, b);
  }
  console.log([...byType].map(([t, b]) => `${t} ${b.n} × ${Math.round(b.bytes / b.n)}`).join('\n'));
  console.log(`history: ${bytes} bytes, ${summary.pages} pages, ${perPage.toFixed(0)} bytes/page`);
  expect(summary.pages).toBeGreaterThanOrEqual(24);
  // What grows with the pages: each page's activity events and the workflow task that handles it.
  // The rest (start, completion, patch markers) is paid once per run.
  const perPageTypes = [...byType].filter(([t]) => /^EVENT_TYPE_(ACTIVITY_TASK|WORKFLOW_TASK)_/.test(t));
  const pageBytes = perPageTypes.reduce((sum, [, b]) => sum + b.bytes, 0);
  expect(pageBytes / summary.pages).toBeLessThan(1024);
  expect(bytes - pageBytes).toBeLessThan(2048);
});

it('SIGKILL of the worker mid-run: a new worker finishes the run with no object missing', async () => {
  const taskQueue = uniqueName('crash');
  const { account, queueUrl, id } = await setup({ charges: 3000 }, {}, taskQueue);
  await admin.setConfig({ latency: { baseMs: 150, perObjectMs: 0, jitterMs: 50 } });
  let second: Awaited<ReturnType<typeof spawnWorker>> | undefined;
  try {
    const first = await spawnWorker(taskQueue);
    await first.ready;
    const handle = await h.client.workflow.start('syncInteraction', {
      taskQueue,
      workflowId: `crash-${id}`,
      args: [{ interactionId: id, options: { concurrency: 2, pageTimeoutSeconds: 5 } }],
    });
    // Wait until the run is well under way, then kill the worker without any chance to clean up.
    for (let pages = 0; pages < 6;) pages = (await handle.query(syncProgressQuery)).totals.pages;
    first.child.kill('SIGKILL');
    await first.exited;
    const before = (await admin.counters(account.id)).total;
    expect(before).toBeLessThan(40);

    second = await spawnWorker(taskQueue);
    await second.ready;
    const summary = await handle.result();
    const truth = await admin.objects(account.id, 'charges');
    const ids = objectIds(await drainQueue(h.sqs, queueUrl));
    expect(ids.distinct).toEqual(new Set(truth.map((o) => o.id)));
    expect(summary.objects).toBe(3000);
  } finally {
    await admin.setConfig({ latency: { baseMs: 0, perObjectMs: 0, jitterMs: 0 } });
    second?.child.kill('SIGTERM');
    await second?.exited;
  }
});
