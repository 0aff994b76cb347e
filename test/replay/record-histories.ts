// Records real histories of every workflow type for the replay test (test/replay/replay.test.ts).
//
//   npx tsx test/replay/record-histories.ts [label]
//
// Starts its own throwaway services, runs each scenario against the current code, and writes every
// run of every workflow to test/replay/histories/<scenario>.<label>.run<N>.json (label: the short
// commit, by default). Record again after a change to the workflows, and keep the older recordings:
// they are what the workers already running in production have in their histories.
import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startLocalServices, stopLocalServices } from '../../dev/local-services';
import { TOOLS_BIN } from '../../dev/services';
import { FIXTURE_ENCRYPTION_KEYS } from './fixture-key';
import { generateSealingKeyPair } from '../../common/sealed-keys';

const OUT = join(__dirname, 'histories');
const SPAN = { from: Date.UTC(2024, 0, 1) / 1000, to: Date.UTC(2024, 6, 1) / 1000 };
const DAY = 86400;

async function main() {
  const label = process.argv[2] ?? execSync('git rev-parse --short HEAD').toString().trim();
  process.env.COMPOUND_ENCRYPTION_KEYS = FIXTURE_ENCRYPTION_KEYS;
  // Stripe keys are sealed before they are stored: a throwaway pair (the histories hold only sealed keys).
  const sealing = generateSealingKeyPair();
  process.env.COMPOUND_SEALING_PUBLIC_KEY = sealing.publicPem;
  process.env.COMPOUND_SEALING_PRIVATE_KEYS = sealing.privatePem;
  const services = await startLocalServices();
  try {
    process.env.COMPOUND_TEST_SERVICES = JSON.stringify(services);
    const bundlePath = join(services.dir, 'bundle.js');
    const { PAYLOAD_CONVERTER_PATH } = await import('../../common/data-converter').catch(() => ({
      PAYLOAD_CONVERTER_PATH: undefined,
    }));
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      ...(PAYLOAD_CONVERTER_PATH && { payloadConverterPath: PAYLOAD_CONVERTER_PATH }),
    });
    writeFileSync(bundlePath, bundle.code);
    process.env.COMPOUND_TEST_WORKFLOW_BUNDLE = bundlePath;
    // Imported after the environment above is set: these read it.
    const { testClient, startTestWorker } = await import('../support/temporal');
    const { testSqs } = await import('../support/sqs');
    const { emulatedInteraction } = await import('../support/interaction-fixture');
    const { startBackfill, waitForProgress } = await import('../support/backfill');
    const client = await testClient();
    const sqs = testSqs();
    const worker = await startTestWorker(client);
    const taskQueue = worker.taskQueue;
    const interaction = (prefix: string, charges: number) =>
      emulatedInteraction(client, sqs, {
        prefix,
        taskQueue,
        account: { mode: 'test', counts: { charges, products: 0, subscriptions: 0 }, span: SPAN },
      });
    const save = (scenario: string, handle: WorkflowHandle) =>
      saveRuns(client, services.temporalAddress, scenario, label, handle);

    // A scheduled sync that continues as new several times.
    {
      const f = await interaction('rec-sync', 3000);
      const handle = await client.workflow.start('syncInteraction', {
        taskQueue,
        workflowId: `sync-${f.id}`,
        args: [{ interactionId: f.id, options: { continueAsNewAfterPages: 10 } }],
      });
      await handle.result();
      await save('sync', handle);
    }

    // A backfill's whole vocabulary: valid and invalid signals, an update, pause, resume, cancel,
    // unknown signals, continue-as-new, queries all along.
    {
      const f = await interaction('rec-backfill', 2000);
      const handle = await startBackfill(client, taskQueue, {
        interactionId: f.id,
        options: { continueAsNewAfterPages: 8 },
      });
      const iso = (s: number) => new Date(s * 1000).toISOString();
      await handle.signal('backfill', { from: 'yesterday' });
      await handle.signal('backfill', { from: iso(SPAN.from), to: iso(SPAN.from + 60 * DAY) });
      await handle.executeUpdate('requestBackfill', {
        args: [{ from: SPAN.from + 30 * DAY, to: SPAN.from + 120 * DAY }],
      });
      await handle.executeUpdate('requestBackfill', { args: [{ from: 'bad' }] }).catch(() => undefined);
      await handle.signal('pause');
      await handle.query('progress');
      await handle.signal('resume');
      await handle.signal('backfil', { from: '2024-01-01' });
      await waitForProgress(handle, (p) => p.finished.length >= 1);
      await handle.signal('backfill', { from: iso(SPAN.from + 150 * DAY) });
      await handle.signal('cancel');
      await handle.signal('backfill', { from: iso(SPAN.from + 100 * DAY), to: iso(SPAN.from + 170 * DAY) });
      await waitForProgress(
        handle,
        (p) => p.state === 'idle' && p.queued.length === 0 && p.finished.length >= 3,
      );
      await handle.terminate('recorded');
      await save('backfill', handle);
    }

    // Under load: one backfill walks 20,000 charges while another takes a burst of 1,500 signals and
    // both are queried every 50 ms, so workflow tasks carry many completions, signals and queries.
    {
      const walker = await interaction('rec-load-walk', 20000);
      const target = await interaction('rec-load-burst', 500);
      const walk = await startBackfill(client, taskQueue, { interactionId: walker.id });
      const burst = await startBackfill(client, taskQueue, { interactionId: target.id });
      let querying = true;
      const queries = (async () => {
        while (querying) {
          await Promise.all([walk.query('progress'), burst.query('progress')]).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await walk.signal('backfill', { from: SPAN.from, to: SPAN.to });
      const inputs = Array.from({ length: 1500 }, (_, i) =>
        i % 10 === 0
          ? { from: SPAN.from + i * 3600, to: SPAN.from + i * 3600 + 5 * DAY }
          : { from: `not-a-date-${i}` },
      );
      for (let i = 0; i < inputs.length; i += 50)
        await Promise.all(inputs.slice(i, i + 50).map((input) => burst.signal('backfill', input)));
      await waitForProgress(walk, (p) => p.finished.length === 1, 600_000);
      await waitForProgress(burst, (p) => p.state === 'idle' && p.queued.length === 0, 600_000);
      querying = false;
      await queries;
      await walk.terminate('recorded');
      await burst.terminate('recorded');
      await save('load-walk', walk);
      await save('load-burst', burst);
    }
    // An incremental interaction as its schedule runs it: a first run (snapshot, saves the events
    // cursor in the backfill workflow), then a run of changes.
    {
      const { createInteraction, triggerSync, waitForSync } = await import('../../client/interactions');
      const { testConfig } = await import('../support/temporal');
      const { emulatorAdmin } = await import('../../dev/stripe-emulator/admin-client');
      const { createQueue, uniqueName } = await import('../support/sqs');
      const admin = emulatorAdmin(services.emulatorUrl);
      const account = await admin.createAccount({ mode: 'test', counts: { products: 300 }, span: SPAN });
      const { interaction } = await createInteraction(
        client,
        {
          name: uniqueName('rec incremental'),
          resource: 'products',
          frequency: 'daily',
          stripeKey: account.keys.restricted,
          stripeApiBase: services.emulatorUrl,
          queueUrl: await createQueue(sqs, uniqueName('rec-inc')),
        },
        { config: testConfig(), taskQueue },
      );
      const first = await triggerSync(client, interaction.id);
      await waitForSync(client, first);
      const products = await admin.objects(account.id, 'products');
      await admin.setClock({ frozenAt: Math.floor(Date.now() / 1000) - 60 });
      for (const p of products.slice(0, 120))
        await admin.updateObject(account.id, 'products', p.id, { metadata: { r: '1' } });
      await admin.setClock({});
      const second = await triggerSync(client, interaction.id);
      await waitForSync(client, second);
      await save('incremental-snapshot', client.workflow.getHandle(first.workflowId, first.runId));
      await save('incremental-changes', client.workflow.getHandle(second.workflowId, second.runId));
      const backfill = client.workflow.getHandle(`backfill-${interaction.id}`);
      await backfill.terminate('recorded');
      await save('incremental-cursor', backfill);
    }
    await worker.stop();
  } finally {
    await stopLocalServices(services);
  }
}

interface RecordedHistory {
  events: { workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string } }[];
}

/** Writes every run of the workflow, following its continue-as-new chain from the first run. */
async function saveRuns(
  client: Client,
  address: string,
  scenario: string,
  label: string,
  handle: WorkflowHandle,
) {
  mkdirSync(OUT, { recursive: true });
  const described = await client.workflow.getHandle(handle.workflowId).describe();
  let runId: string | undefined = described.raw.workflowExecutionInfo!.firstRunId!;
  for (let n = 1; runId; n++) {
    // The Temporal CLI writes the proto-JSON form the SDK's replayer reads.
    const json: string = execFileSync(
      join(TOOLS_BIN, 'temporal'),
      ['workflow', 'show', '--address', address, '-w', handle.workflowId, '-r', runId, '-o', 'json'],
      { maxBuffer: 1 << 30 },
    ).toString();
    const file = join(OUT, `${scenario}.${label}.run${n}.json`);
    writeFileSync(file, json);
    const events: RecordedHistory['events'] = (JSON.parse(json) as RecordedHistory).events;
    console.log(`recorded ${file} (${events.length} events)`);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
