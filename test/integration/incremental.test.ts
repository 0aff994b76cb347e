jest.setTimeout(180000);
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import {
  createInteraction,
  requestSnapshot,
  triggerSync,
  updateInteraction,
  waitForSync,
} from '../../client/interactions';
import type { Change, ChangesEnvelope } from '../../common/envelope';
import { EVENT_RETENTION_SECONDS } from '../../common/events-cursor';
import { backfillWorkflowId } from '../../common/interaction';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { eventsStateQuery, saveEventsCursorSignal, type SyncSummary } from '../../workflows/definitions';
import { services } from '../services/env';
import { cleanUpInteraction } from '../support/interactions';
import { createQueue, drainQueue, objectIds, testSqs, uniqueName } from '../support/sqs';
import { startTestWorker, testClient, testConfig, type RunningWorker } from '../support/temporal';
import { workflowTaskFailures } from '../support/workflow-health';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

// Incremental sync on the real stack: the first run is a snapshot that records an events cursor in the
// interaction's backfill workflow; later runs read only the resource's events since then. The
// emulator writes Stripe's events for every admin mutation, keeps them 30 days, and its clock can be
// frozen so hundreds of events share one second.

const admin = emulatorAdmin(services().emulatorUrl);
let client: Client;
let sqs: SQSClient;
let worker: RunningWorker;
const ids: string[] = [];

beforeAll(async () => {
  client = await testClient();
  sqs = testSqs();
  worker = await startTestWorker(client);
});

afterAll(async () => {
  await admin.setClock({});
  for (const id of ids) await cleanUpInteraction(client, id);
  await worker?.stop();
  await client?.connection.close();
  sqs?.destroy();
});

interface Setup {
  id: string;
  accountId: string;
  queueUrl: string;
  run(o?: { full?: boolean }): Promise<{
    summary: SyncSummary;
    changes: Change[];
    snapshotIds: string[];
    workflowId: string;
    runId: string;
  }>;
}

async function incrementalInteraction(
  resource: 'products' | 'customers',
  count: number,
  taskQueue = worker.taskQueue,
): Promise<Setup> {
  const account = await admin.createAccount({ mode: 'test', counts: { [resource]: count } });
  const queueUrl = await createQueue(sqs, uniqueName(`inc-${resource}`));
  const { interaction } = await createInteraction(
    client,
    {
      name: uniqueName(`inc ${resource}`),
      resource,
      frequency: 'daily',
      stripeKey: account.keys.restricted,
      stripeApiBase: services().emulatorUrl,
      queueUrl,
    },
    { config: testConfig(), taskQueue },
  );
  ids.push(interaction.id);
  expect(interaction.mode).toBe('incremental');
  return {
    id: interaction.id,
    accountId: account.id,
    queueUrl,
    async run(o = {}) {
      const started = await triggerSync(client, interaction.id, o);
      const summary = await waitForSync(client, started);
      const messages = await drainQueue(sqs, queueUrl);
      const bodies = messages.map((m) => JSON.parse(m.Body!) as { content: string });
      const changes = (bodies.filter((b) => b.content === 'changes') as ChangesEnvelope[]).flatMap(
        (b) => b.changes,
      );
      const snapshotIds = [...objectIds(messages.filter((_, i) => bodies[i].content === 'snapshot')).all];
      return { summary, changes, snapshotIds, workflowId: started.workflowId, runId: started.runId };
    },
  };
}

const now = () => Math.floor(Date.now() / 1000);

afterEach(async () => {
  await admin.setClock({});
});

it('first run: a snapshot that says why; then a run with nothing changed reads one page of events', async () => {
  const s = await incrementalInteraction('products', 250);
  const first = await s.run();
  expect(first.summary).toMatchObject({ content: 'snapshot', objects: 250 });
  expect(first.summary.snapshotReason).toMatch(/first run/);
  expect(first.summary.eventsCursor).toMatch(/^saved/);
  expect(first.snapshotIds).toHaveLength(250);

  const quiet = await s.run();
  expect(quiet.summary).toMatchObject({ content: 'changes', objects: 0 });
  expect(quiet.summary.requests).toBeLessThanOrEqual(2);
  expect(quiet.changes).toEqual([]);
  expect(quiet.snapshotIds).toEqual([]);
  const backfill = client.workflow.getHandle(backfillWorkflowId(s.id));
  const firstRunId = (await backfill.describe()).raw.workflowExecutionInfo!.firstRunId!;
  expect((await workflowTaskFailures(client, backfill.workflowId, firstRunId)).failures).toEqual([]);
});

it('updates, creations and deletions: each object once in its newest state, a tombstone per deletion, nothing else', async () => {
  const s = await incrementalInteraction('customers', 120);
  await s.run();
  const all = await admin.objects(s.accountId, 'customers');
  // events a minute old: inside the window whatever the safety lag
  await admin.setClock({ frozenAt: now() - 60 });
  const updatedTwice = all.slice(0, 10).map((o) => o.id);
  const updatedOnce = all.slice(10, 40).map((o) => o.id);
  const deleted = all.slice(40, 45).map((o) => o.id);
  for (const id of [...updatedTwice, ...updatedOnce])
    await admin.updateObject(s.accountId, 'customers', id, { metadata: { round: '1' } });
  for (const id of updatedTwice)
    await admin.updateObject(s.accountId, 'customers', id, { metadata: { round: '2' } });
  for (const id of deleted) await admin.deleteObject(s.accountId, 'customers', id);
  const created = [];
  for (let i = 0; i < 3; i++) created.push((await admin.createObject(s.accountId, 'customers', {})).id);
  // deleted after an update: only the tombstone
  await admin.deleteObject(s.accountId, 'customers', updatedOnce[0]);
  await admin.setClock({});

  const { summary, changes } = await s.run();
  expect(summary.content).toBe('changes');
  const byId = new Map(changes.map((c) => [c.object.id, c]));
  expect(changes).toHaveLength(byId.size); // each object once
  const expectedIds = [...updatedTwice, ...updatedOnce, ...deleted, ...created];
  expect([...byId.keys()].sort()).toEqual(expectedIds.sort());
  for (const id of updatedTwice)
    expect(byId.get(id)).toMatchObject({ kind: 'updated', object: { metadata: { round: '2' } } });
  for (const id of [...deleted, updatedOnce[0]]) expect(byId.get(id)!.kind).toBe('deleted');
  for (const id of created) expect(byId.get(id)!.kind).toBe('created');
  for (const c of changes)
    expect(c).toMatchObject({ eventId: expect.stringMatching(/^evt_/), apiVersion: expect.any(String) });
  expect(summary.changes).toMatchObject({ changed: 3 + 10 + 29, deleted: 6 });
});

it('500 events in one second, across the window boundary: delivered once, and the next run skips them', async () => {
  const s = await incrementalInteraction('products', 600);
  await s.run();
  const all = await admin.objects(s.accountId, 'products');
  await admin.setClock({ frozenAt: now() - 45 });
  for (const o of all.slice(0, 500))
    await admin.updateObject(s.accountId, 'products', o.id, { metadata: { burst: 'yes' } });
  await admin.setClock({});
  const seconds = new Set(
    (await admin.objects(s.accountId, 'events')).filter((e) => e.created >= now() - 50).map((e) => e.created),
  );
  expect(seconds.size).toBe(1); // all 500 share one second

  const burst = await s.run();
  expect(burst.changes.map((c) => c.object.id).sort()).toEqual(
    all
      .slice(0, 500)
      .map((o) => o.id)
      .sort(),
  );
  // the next window re-reads the last five minutes and skips every event already delivered, by id
  const after = await s.run();
  expect(after.changes).toEqual([]);
  expect(after.summary.changes!.skipped).toBeGreaterThanOrEqual(500);
});

it('a cursor older than Stripe’s 30-day retention: a full snapshot, and the summary says why', async () => {
  const s = await incrementalInteraction('products', 150);
  await s.run();
  // as after a month paused: the saved cursor is 31 days old
  const handle = client.workflow.getHandle(backfillWorkflowId(s.id));
  const state = await handle.query(eventsStateQuery);
  await handle.signal(saveEventsCursorSignal, {
    cursor: { ...state.cursor, upTo: now() - EVENT_RETENTION_SECONDS - 86400 },
    snapshot: false,
  });
  const { summary, snapshotIds, workflowId, runId } = await s.run();
  expect(summary.content).toBe('snapshot');
  expect(summary.snapshotReason).toMatch(/days old and Stripe keeps events for 30 days: a full snapshot/);
  expect(snapshotIds).toHaveLength(150);
  // the Web UI shows it too (the run's current details)
  const metadata = await client.workflow
    .getHandle(workflowId, runId)
    .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toMatch(
    /\*\*Full snapshot\*\*: the last change read is 3\d(\.\d)? days old/,
  );
  // and the cursor is fresh again
  expect((await s.run()).summary.content).toBe('changes');
});

it('sync-now --full forces one snapshot; a switch to snapshot mode reads everything every run', async () => {
  const s = await incrementalInteraction('products', 120);
  await s.run();
  const full = await s.run({ full: true });
  expect(full.summary).toMatchObject({
    content: 'snapshot',
    objects: 120,
    snapshotReason: expect.stringMatching(/--full/),
  });
  expect((await s.run()).summary.content).toBe('changes');

  await updateInteraction(client, s.id, { mode: 'snapshot' }, { config: testConfig() });
  for (let i = 0; i < 2; i++) {
    const r = await s.run();
    expect(r.summary.content).toBe('snapshot');
    expect(r.summary.snapshotReason).toBeUndefined();
    expect(r.snapshotIds).toHaveLength(120);
  }
  // back to incremental: a snapshot first (changes made meanwhile were never read from events)
  await updateInteraction(client, s.id, { mode: 'incremental' }, { config: testConfig() });
  const back = await s.run();
  expect(back.summary).toMatchObject({
    content: 'snapshot',
    snapshotReason: expect.stringMatching(/switched to incremental/),
  });
  expect((await s.run()).summary.content).toBe('changes');
  await requestSnapshot(client, s.id, 'asked by the test');
  expect((await s.run()).summary.snapshotReason).toBe('asked by the test');
});

it('a run whose reads fail mid-way is retried: every change arrives, and the cursor moves once', async () => {
  const s = await incrementalInteraction('products', 300);
  await s.run();
  const all = await admin.objects(s.accountId, 'products');
  await admin.setClock({ frozenAt: now() - 60 });
  for (const o of all.slice(0, 250))
    await admin.updateObject(s.accountId, 'products', o.id, { metadata: { k: 'v' } });
  await admin.setClock({});
  // the events page answers 500 twice: the activity is retried and re-reads the same window
  await admin.addFault({ kind: 'server_error', account: s.accountId, endpoint: 'events.list', count: 2 });
  const { changes, summary } = await s.run();
  expect(summary.content).toBe('changes');
  expect(new Set(changes.map((c) => c.object.id))).toEqual(new Set(all.slice(0, 250).map((o) => o.id)));
  expect((await s.run()).changes).toEqual([]);
});

it('a key without Read on Events: create says which permission to add, or to choose --mode snapshot', async () => {
  const account = await admin.createAccount({ mode: 'test', counts: { products: 5 } });
  const { key } = await admin.createRestrictedKey(account.id, ['rak_product_read']);
  const input = {
    name: uniqueName('no events'),
    resource: 'products',
    frequency: 'daily',
    stripeKey: key,
    stripeApiBase: services().emulatorUrl,
    queueUrl: await createQueue(sqs, uniqueName('inc-noevents')),
  };
  const opts = { config: testConfig(), taskQueue: worker.taskQueue };
  await expect(createInteraction(client, input, opts)).rejects.toThrow(
    /grant the restricted key Read on Events \(rak_event_read\), or use full snapshots instead \(--mode snapshot\)/,
  );
  const { interaction } = await createInteraction(client, { ...input, mode: 'snapshot' }, opts);
  ids.push(interaction.id);
  expect(interaction.mode).toBe('snapshot');
});

it('a run killed mid-way (SIGKILL of its worker): a new worker re-reads the window, every change arrives, the cursor moves once', async () => {
  const taskQueue = uniqueName('inc-kill');
  let worker2: WorkerProcess | undefined;
  const worker1 = await spawnWorker(taskQueue);
  try {
    await worker1.ready;
    const s = await incrementalInteraction('products', 600, taskQueue);
    const interaction = { id: s.id };
    const account = { id: s.accountId };
    const queueUrl = s.queueUrl;
    await s.run();
    const all = await admin.objects(account.id, 'products');
    const changed = all.slice(0, 500).map((o) => o.id);
    await admin.setClock({ frozenAt: now() - 60 });
    for (const id of changed)
      await admin.updateObject(account.id, 'products', id, { metadata: { k: 'killed' } });
    await admin.setClock({});
    // slow pages, so the run is still reading when its worker dies
    await admin.setConfig({ latency: { baseMs: 400, perObjectMs: 0, jitterMs: 0 } });
    const started = await triggerSync(client, interaction.id);
    const handle = client.workflow.getHandle(started.workflowId, started.runId);
    for (;;) {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      if (pending.some((a) => a.activityType?.name === 'fetchChanges' && a.heartbeatDetails)) break;
    }
    worker1.child.kill('SIGKILL');
    await worker1.exited;
    worker2 = await spawnWorker(taskQueue);
    await worker2.ready;
    const summary = await waitForSync(client, started);
    expect(summary.content).toBe('changes');
    const received = (await drainQueue(sqs, queueUrl))
      .map((m) => JSON.parse(m.Body!) as ChangesEnvelope)
      .flatMap((b) => b.changes);
    // at least once: the pages sent before the kill may come again, nothing is missing
    expect(new Set(received.map((c) => c.object.id))).toEqual(new Set(changed));
    await admin.setConfig({ latency: { baseMs: 0, perObjectMs: 0, jitterMs: 0 } });
    const next = await waitForSync(client, await triggerSync(client, interaction.id));
    expect(next).toMatchObject({ content: 'changes', objects: 0 });
  } finally {
    await admin.setConfig({ latency: { baseMs: 0, perObjectMs: 0, jitterMs: 0 } });
    worker1.child.kill('SIGKILL');
    worker2?.child.kill('SIGTERM');
    await worker2?.exited;
  }
});
