jest.setTimeout(120000);
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { requestBackfill, waitForBackfill } from '../../client/backfill';
import {
  createInteraction,
  getInteraction,
  triggerSync,
  updateInteraction,
  waitForSync,
} from '../../client/interactions';
import { backfillWorkflowId } from '../../common/interaction';
import { UsageError } from '../../client/errors';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { services } from '../services/env';
import { cleanUpInteraction } from '../support/interactions';
import { createQueue, drainQueue, objectIds, testSqs, uniqueName } from '../support/sqs';
import { startTestWorker, testClient, testConfig, type RunningWorker } from '../support/temporal';

// Stripe limits the account, not the key: interactions of one account share one budget whatever key
// they were registered with, and their page activities carry that account as their fairness key, which
// Temporal rate-limits across every worker of the task queue (worker/fairness.ts).

const admin = emulatorAdmin(services().emulatorUrl);
const sqs = testSqs();
let client: Client;
let worker: RunningWorker;
const ids: string[] = [];

beforeAll(async () => {
  client = await testClient();
  worker = await startTestWorker(client);
});

afterAll(async () => {
  for (const id of ids) await cleanUpInteraction(client, id);
  await worker?.stop();
  await client?.connection.close();
  sqs.destroy();
});

async function create(stripeKey: string, resource: string, account?: string, rateShare?: number) {
  const { interaction } = await createInteraction(
    client,
    {
      name: uniqueName(`budget ${resource}`),
      resource,
      frequency: 'daily',
      stripeKey,
      stripeApiBase: services().emulatorUrl,
      queueUrl: await createQueue(sqs, uniqueName('budget')),
      ...(account && { account }),
      ...(rateShare !== undefined && { rateShare }),
    },
    { config: testConfig(), taskQueue: worker.taskQueue },
  );
  ids.push(interaction.id);
  return interaction;
}

/** The priority of every page activity a workflow scheduled, in order. */
async function pagePriorities(handle: { fetchHistory(): Promise<temporal.api.history.v1.IHistory> }) {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchPage')
    .map((e) => ({
      key: e.activityTaskScheduledEventAttributes?.priority?.fairnessKey,
      // a 32-bit float on the wire
      weight:
        Math.round((e.activityTaskScheduledEventAttributes?.priority?.fairnessWeight ?? 0) * 1000) / 1000,
    }));
}

it('two keys of one account (restricted and secret) share the account’s budget; the view says so', async () => {
  const account = await admin.createAccount({ mode: 'test', counts: { charges: 30, products: 5 } });
  const a = await create(account.keys.restricted, 'charges');
  const b = await create(account.keys.secret, 'products');
  expect(a.budget).toBe(account.id);
  expect(b.budget).toBe(account.id);
  const shown = await getInteraction(client, a.id);
  expect(shown.budget).toBe(account.id);
});

it('--account must be the key’s own account', async () => {
  const mine = await admin.createAccount({ mode: 'test', counts: { charges: 1 } });
  const other = await admin.createAccount({ mode: 'test', counts: { charges: 1 } });
  await expect(create(mine.keys.restricted, 'charges', other.id)).rejects.toThrow(UsageError);
  await expect(create(mine.keys.restricted, 'charges', other.id)).rejects.toThrow(
    `--account ${other.id}: the Stripe key belongs to account ${mine.id}`,
  );
});

it('a sync’s page activities carry the account as their fairness key (per endpoint in live mode)', async () => {
  for (const mode of ['test', 'live'] as const) {
    const account = await admin.createAccount({ mode, counts: { charges: 150 } });
    const interaction = await create(account.keys.restricted, 'charges');
    const run = await triggerSync(client, interaction.id);
    await waitForSync(client, run);
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const keys = new Set(
      (history.events ?? [])
        .filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchPage')
        .map((e) => e.activityTaskScheduledEventAttributes?.priority?.fairnessKey),
    );
    expect(keys).toEqual(new Set([mode === 'live' ? `${account.id}|charges` : account.id]));
  }
});

it('the rate share is the weight Temporal dispatches pages at: 0.95 by default, --rate-share otherwise; show says so', async () => {
  const account = await admin.createAccount({ mode: 'test', counts: { charges: 250, products: 120 } });
  const shared = await create(account.keys.restricted, 'charges', undefined, 0.4);
  const plain = await create(account.keys.secret, 'products');
  for (const [interaction, weight] of [
    [shared, 0.4],
    [plain, 0.95],
  ] as const) {
    const run = await triggerSync(client, interaction.id);
    await waitForSync(client, run);
    const priorities = await pagePriorities(client.workflow.getHandle(run.workflowId, run.runId));
    expect(priorities.length).toBeGreaterThan(1);
    expect(new Set(priorities.map((p) => `${p.key} ${p.weight}`))).toEqual(
      new Set([`${account.id} ${weight}`]),
    );
  }
  expect((await getInteraction(client, shared.id)).rateShare).toBe(0.4);
  expect((await getInteraction(client, plain.id)).rateShare).toBe(0.95);
});

it('a rate share changed by update reaches the running backfill workflow from its next page on, losing nothing', async () => {
  const account = await admin.createAccount({ mode: 'test', counts: { charges: 600 } });
  const interaction = await create(account.keys.restricted, 'charges');
  // Before any page: the worker has not cached the interaction yet, so the first page sees the update.
  await updateInteraction(client, interaction.id, { rateShare: 0.3 }, { config: testConfig() });
  const accepted = await requestBackfill(client, interaction.id, {
    from: '2015-01-01T00:00:00Z',
    to: new Date(Date.now() + 60_000).toISOString(),
  });
  const finished = await waitForBackfill(client, interaction.id, accepted.requestId, undefined, 200);
  expect(finished.map((f) => f.status)).toEqual(['completed']);
  const priorities = await pagePriorities(client.workflow.getHandle(backfillWorkflowId(interaction.id)));
  // Pages scheduled before the first one reported the new share carry the share the workflow started with.
  expect(priorities[0]).toEqual({ key: account.id, weight: 0.95 });
  expect(priorities.at(-1)).toEqual({ key: account.id, weight: 0.3 });
  expect(priorities.filter((p) => p.weight === 0.3).length).toBeGreaterThan(priorities.length / 2);
  const delivered = objectIds(await drainQueue(sqs, interaction.queueUrl)).distinct;
  expect(delivered.size).toBe(600);
});
