import { readFileSync } from 'node:fs';
import { WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { buildIdOf } from '../../worker/create-worker';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import type { ResourceName } from '../../stripe/resources';
import { services } from '../services/env';
import { storeInteraction, runSync } from '../support/interaction-fixture';
import { createQueue, drainQueue, envelopes, objectIds, uniqueName } from '../support/sqs';
import { CONTENT_ENCODING_ATTRIBUTE, envelopeJsonOf } from '../../common/envelope';
import { useHarness } from '../support/temporal';

// The sync engine end to end: real Temporal dev server, real Worker, the Stripe emulator over HTTP, and
// ElasticMQ. Every case compares what reached the queue with the emulator's own list of objects.

const admin = emulatorAdmin(services().emulatorUrl);
const h = useHarness();

interface Scenario {
  resource: ResourceName;
  count: number;
  ties?: number;
  queue?: string;
  compression?: 'none' | 'gzip';
}

async function syncScenario(s: Scenario) {
  const account = await admin.createAccount({
    mode: 'test',
    seed: s.count + s.resource.length,
    counts: { charges: 0, products: 0, subscriptions: 0, [s.resource]: s.count },
    ...(s.ties && { ties: { count: s.ties, resource: s.resource } }),
  });
  const queueUrl = await createQueue(h.sqs, s.queue ?? uniqueName('sync'));
  const name = uniqueName(`${s.resource}-${s.count}`);
  const interaction = await storeInteraction(
    h.client,
    {
      id: name,
      name,
      resource: s.resource,
      frequency: 'daily',
      stripeKey: account.keys.restricted,
      queueUrl,
      stripeApiBase: services().emulatorUrl,
      ...(s.compression && { compression: s.compression }),
    },
    h.worker.taskQueue,
  );
  const summary = await runSync(h.client, h.worker.taskQueue, { interactionId: interaction.id });
  const messages = await drainQueue(h.sqs, queueUrl);
  const truth = await admin.objects(account.id, s.resource);
  return { summary, messages, truth, account, queueUrl, interaction };
}

describe('scheduled sync: every object reaches SQS', () => {
  const counts = [0, 1, 99, 100, 101, 2345];
  for (const resource of ['charges', 'products', 'subscriptions'] as const) {
    it.each(counts)(`${resource}: %i objects`, async (count) => {
      const { summary, messages, truth } = await syncScenario({ resource, count });
      const ids = objectIds(messages);
      expect(truth).toHaveLength(count);
      expect([...ids.distinct].sort()).toEqual(truth.map((o) => o.id).sort());
      expect(summary.objects).toBe(count);
      expect(summary.pages).toBeGreaterThanOrEqual(Math.ceil(count / 100));
      if (resource === 'subscriptions' && count > 10) {
        // Stripe hides canceled subscriptions unless status=all: they must be here.
        const canceled = truth.filter((o) => o.status === 'canceled');
        expect(canceled.length).toBeGreaterThan(0);
        for (const sub of canceled) expect(ids.distinct.has(sub.id)).toBe(true);
      }
    });
  }

  it('gzip compression: every object once, each message marked and several times smaller than its JSON', async () => {
    const { messages, truth, summary } = await syncScenario({
      resource: 'charges',
      count: 450,
      compression: 'gzip',
    });
    expect([...objectIds(messages).distinct].sort()).toEqual(truth.map((o) => o.id).sort());
    expect(objectIds(messages).all).toHaveLength(450);
    for (const m of messages)
      expect(m.MessageAttributes?.[CONTENT_ENCODING_ATTRIBUTE]?.StringValue).toBe('gzip');
    const sent = messages.reduce((n, m) => n + Buffer.byteLength(m.Body!), 0);
    const json = messages.reduce((n, m) => n + Buffer.byteLength(envelopeJsonOf(m)), 0);
    expect(summary.bytes).toBe(sent);
    expect(sent * 4).toBeLessThan(json);
  });

  it('a slice walks its later pages several to a task: fewer activities than pages, each page its own message in order', async () => {
    const { messages, truth, summary } = await syncScenario({ resource: 'charges', count: 2345 });
    expect(objectIds(messages).all).toHaveLength(truth.length);
    const bodies = envelopes(messages);
    const history = await h.client.workflow.getHandle(bodies[0].run.workflowId).fetchHistory();
    const tasks = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchPage',
    ).length;
    expect(tasks).toBeLessThan(summary.pages / 2);
    // Within each slice, the pages' indexes run 0, 1, 2… and each starts after the last object of the one before.
    const slices = new Map<number, typeof bodies>();
    for (const b of bodies) slices.set(b.page.slice.id, [...(slices.get(b.page.slice.id) ?? []), b]);
    for (const pages of slices.values()) {
      pages.sort((a, b) => a.page.index - b.page.index);
      pages.forEach((p, i) => {
        expect(p.page.index).toBe(i);
        expect(p.page.startingAfter).toBe(
          i === 0 ? null : (pages[i - 1].objects.at(-1) as { id: string }).id,
        );
      });
    }
  });

  it('500 charges sharing one created second: none lost, none duplicated across slices', async () => {
    const { messages, truth } = await syncScenario({ resource: 'charges', count: 800, ties: 500 });
    const ids = objectIds(messages);
    const seconds = new Map<number, number>();
    for (const o of truth) seconds.set(o.created, (seconds.get(o.created) ?? 0) + 1);
    expect(Math.max(...seconds.values())).toBeGreaterThanOrEqual(500);
    expect(ids.all).toHaveLength(truth.length);
    expect(ids.distinct).toEqual(new Set(truth.map((o) => o.id)));
  });

  it('writes the documented envelope, and a FIFO queue gets group and dedup ids', async () => {
    const { messages, truth, interaction, summary } = await syncScenario({
      resource: 'products',
      count: 250,
      queue: uniqueName('sync') + '.fifo',
    });
    expect(objectIds(messages).distinct.size).toBe(truth.length);
    const bodies = envelopes(messages);
    for (const [i, body] of bodies.entries()) {
      expect(body).toMatchObject({
        schemaVersion: 1,
        interaction: { id: interaction.id, name: interaction.name, resource: 'products' },
        run: { kind: 'scheduled' },
        livemode: false,
        part: 1,
        parts: 1,
      });
      expect(body.page.objectCount).toBe(body.objects.length);
      expect(messages[i].MessageAttributes?.['compound-dedup-id']?.StringValue).toBe(body.dedupId);
      expect(messages[i].Attributes?.MessageGroupId ?? interaction.id).toBe(interaction.id);
    }
    expect(new Set(bodies.map((b) => b.dedupId)).size).toBe(bodies.length);
    expect(summary.messages).toBe(bodies.length);
  });
});

it('every workflow task records the build id of the workflow code that ran it', async () => {
  const account = await admin.createAccount({
    mode: 'test',
    counts: { charges: 0, products: 250, subscriptions: 0 },
  });
  const name = uniqueName('build-id');
  const interaction = await storeInteraction(
    h.client,
    {
      id: name,
      name,
      resource: 'products',
      frequency: 'daily',
      stripeKey: account.keys.restricted,
      queueUrl: await createQueue(h.sqs, uniqueName('build-id')),
      stripeApiBase: services().emulatorUrl,
    },
    h.worker.taskQueue,
  );
  const handle = await h.client.workflow.start('syncInteraction', {
    taskQueue: h.worker.taskQueue,
    workflowId: `sync-${interaction.id}`,
    args: [{ interactionId: interaction.id }],
  });
  await handle.result();
  const tasks = ((await handle.fetchHistory()).events ?? []).filter(
    (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  );
  const bundle = readFileSync(process.env.COMPOUND_TEST_WORKFLOW_BUNDLE!, 'utf8');
  expect(tasks.length).toBeGreaterThan(2);
  expect(new Set(tasks.map((e) => e.workflowTaskCompletedEventAttributes?.workerVersion?.buildId))).toEqual(
    new Set([buildIdOf(bundle)]),
  );
  // Another bundle, another id: a worker running other workflow code shows in the history.
  expect(buildIdOf(`${bundle}\n`)).not.toBe(buildIdOf(bundle));
});

describe('failures', () => {
  it('an invalid key fails the run at once with a clear, masked message', async () => {
    const queueUrl = await createQueue(h.sqs, uniqueName('badkey'));
    const name = uniqueName('badkey');
    const badKey = 'rk_test_' + 'Z'.repeat(20) + 'wxyz';
    await storeInteraction(
      h.client,
      {
        id: name,
        name,
        resource: 'charges',
        frequency: 'daily',
        stripeKey: badKey,
        queueUrl,
        stripeApiBase: services().emulatorUrl,
      },
      h.worker.taskQueue,
    );
    const err = await runSync(h.client, h.worker.taskQueue, { interactionId: name }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause as Error | undefined;
    expect(cause?.message).toMatch(/the key is not valid/);
    expect(cause?.message).toContain(`compound interactions update ${name}`);
    expect(JSON.stringify(cause)).not.toContain('Z'.repeat(20));
  });

  it('a restricted key without the permission fails with what to grant', async () => {
    const account = await admin.createAccount({ mode: 'test', counts: { subscriptions: 5 } });
    const queueUrl = await createQueue(h.sqs, uniqueName('perm'));
    const name = uniqueName('perm');
    await storeInteraction(
      h.client,
      {
        id: name,
        name,
        resource: 'subscriptions',
        frequency: 'daily',
        stripeKey: account.keys.restrictedNoSubscriptions,
        queueUrl,
        stripeApiBase: services().emulatorUrl,
      },
      h.worker.taskQueue,
    );
    const err = (await runSync(h.client, h.worker.taskQueue, { interactionId: name }).catch(
      (e: unknown) => e,
    )) as WorkflowFailedError;
    expect((err.cause?.cause as Error | undefined)?.message).toMatch(
      /lacks Read permission on Subscriptions \(rak_subscription_read\): edit the restricted key/,
    );
    expect(await drainQueue(h.sqs, queueUrl)).toHaveLength(0);
  });
});
