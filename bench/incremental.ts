import type { Client } from '@temporalio/client';
import type { EmulatorAdmin } from '../dev/stripe-emulator/admin-client';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_RETENTION_SECONDS } from '../common/events-cursor';
import { backfillWorkflowId, scheduleId, type ScheduledSyncArgs } from '../common/interaction';
import { eventsStateQuery, saveEventsCursorSignal, type SyncSummary } from '../workflows/definitions';
import { startConsumer } from './consumer';

// Incremental runs after the snapshot of a big account (issue 15's figures): a run with nothing changed,
// a run after 1,000 updates and 50 deletions, and a cursor past Stripe's 30-day event retention.

export interface IncrementalResult {
  /** Per interaction: Stripe requests and seconds of a run with nothing changed. */
  quiet: { resource: string; content?: string; requests: number; seconds: number }[];
  changes: {
    updates: number;
    deletions: number;
    content?: string;
    requests: number;
    seconds: number;
    /** Changed ids that did not arrive, or arrived in an older state. */
    missing: number;
    /** Changes that arrived for ids not changed, or more than once. */
    extra: number;
    tombstones: number;
  };
  fallback: { content?: string; reason?: string; objects: number; seconds: number };
}

/** The arguments the interaction's schedule starts its runs with (the interaction included). */
export async function scheduleArgs(client: Client, interactionId: string): Promise<[ScheduledSyncArgs]> {
  const desc = await client.schedule.getHandle(scheduleId(interactionId)).describe();
  if (desc.action.type !== 'startWorkflow') throw new Error(`${interactionId}: unexpected schedule action`);
  return desc.action.args as [ScheduledSyncArgs];
}

/** Runs a sync of the interaction the way its schedule does. */
async function scheduledRun(client: Client, interactionId: string, taskQueue: string, workflowId: string) {
  const args = await scheduleArgs(client, interactionId);
  const started = Date.now();
  const summary: SyncSummary = await client.workflow.execute('syncInteraction', {
    taskQueue,
    workflowId,
    args,
  });
  return { summary, seconds: (Date.now() - started) / 1000 };
}

export async function runIncrementalPhase(o: {
  client: Client;
  admin: EmulatorAdmin;
  sqs: SQSClient;
  accountId: string;
  queueUrl: string;
  taskQueue: string;
  ids: Record<string, string>;
  prefix: string;
}): Promise<IncrementalResult> {
  const { client, admin, accountId } = o;
  const round = (n: number) => Math.round(n * 100) / 100;
  const requestsDuring = async <T>(fn: () => Promise<T>) => {
    await admin.resetCounters(accountId);
    const value = await fn();
    return { value, requests: (await admin.counters(accountId)).total };
  };

  const quiet: IncrementalResult['quiet'] = [];
  for (const [resource, id] of Object.entries(o.ids)) {
    const { value, requests } = await requestsDuring(() =>
      scheduledRun(client, id, o.taskQueue, `${o.prefix}-quiet-${resource}`),
    );
    quiet.push({ resource, content: value.summary.content, requests, seconds: round(value.seconds) });
  }

  // 1,000 updates and 50 deletions of products, a minute ago (inside the window whatever the lag).
  const products = await admin.objects(accountId, 'products');
  const updated = products.slice(0, 1000).map((p) => p.id);
  const deleted = products.slice(1000, 1050).map((p) => p.id);
  await admin.setClock({ frozenAt: Math.floor(Date.now() / 1000) - 60 });
  for (const id of updated)
    await admin.updateObject(accountId, 'products', id, { metadata: { bench: 'v2' } });
  for (const id of deleted) await admin.deleteObject(accountId, 'products', id);
  await admin.setClock({});
  const consumer = startConsumer(o.sqs, o.queueUrl);
  const changed = await requestsDuring(() =>
    scheduledRun(client, o.ids.products, o.taskQueue, `${o.prefix}-changes-products`),
  );
  const expected = updated.length + deleted.length;
  while (consumer.received() < expected && consumer.idleMs() < 5000)
    await new Promise((r) => setTimeout(r, 200));
  await consumer.stop();
  const got = new Map(consumer.changes.map((c) => [c.object.id, c]));
  const updatedOk = updated.filter(
    (id) => (got.get(id)?.object as { metadata?: { bench?: string } } | undefined)?.metadata?.bench === 'v2',
  ).length;
  const deletedOk = deleted.filter((id) => got.get(id)?.kind === 'deleted').length;

  // As after a month without runs: the products cursor is 31 days old.
  const backfill = client.workflow.getHandle(backfillWorkflowId(o.ids.products));
  const state = await backfill.query(eventsStateQuery);
  await backfill.signal(saveEventsCursorSignal, {
    cursor: { ...state.cursor, upTo: Math.floor(Date.now() / 1000) - EVENT_RETENTION_SECONDS - 86400 },
    snapshot: false,
  });
  const fallback = await scheduledRun(client, o.ids.products, o.taskQueue, `${o.prefix}-fallback-products`);

  return {
    quiet,
    changes: {
      updates: updated.length,
      deletions: deleted.length,
      content: changed.value.summary.content,
      requests: changed.requests,
      seconds: round(changed.value.seconds),
      missing: expected - updatedOk - deletedOk,
      extra:
        consumer.changes.length -
        got.size +
        [...got.keys()].filter((id) => !updated.includes(id) && !deleted.includes(id)).length,
      tombstones: deletedOk,
    },
    fallback: {
      content: fallback.summary.content,
      reason: fallback.summary.snapshotReason,
      objects: fallback.summary.objects,
      seconds: round(fallback.seconds),
    },
  };
}
