jest.setTimeout(120000);
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createInteraction, getInteraction, triggerSync, waitForSync } from '../../client/interactions';
import { UsageError } from '../../client/errors';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { services } from '../services/env';
import { cleanUpInteraction } from '../support/interactions';
import { createQueue, testSqs, uniqueName } from '../support/sqs';
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

async function create(stripeKey: string, resource: string, account?: string) {
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
    },
    { config: testConfig(), taskQueue: worker.taskQueue },
  );
  ids.push(interaction.id);
  return interaction;
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
