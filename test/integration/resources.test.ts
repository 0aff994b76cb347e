jest.setTimeout(120000);
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import type { SyncNowResult } from '../../client/interactions';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { RESOURCE_NAMES, RESOURCES } from '../../stripe/resources';
import { services } from '../services/env';
import { cliEnv, runCli, runCliJson } from '../support/cli';
import { cleanUpInteraction } from '../support/interactions';
import { createQueue, drainQueue, envelopes, objectIds, testSqs, uniqueName } from '../support/sqs';
import { startTestWorker, testClient, type RunningWorker } from '../support/temporal';

// Every registry resource end to end, as a user registers it: `compound interactions create`, then
// `sync-now --wait`, against the emulator (which serves every registry resource), a real worker, the
// dev server and ElasticMQ. What reaches the queue must be exactly the emulator's objects, ties on one
// `created` second included. Adding a registry entry adds a case here with no test change.

const PER_RESOURCE = 230;
const TIED = 110; // the emulator ties at most half of a resource's objects

const admin = emulatorAdmin(services().emulatorUrl);
let client: Client;
let sqs: SQSClient;
let worker: RunningWorker;
let accountId: string;
let env: Record<string, string | undefined>;
const ids: string[] = [];

beforeAll(async () => {
  client = await testClient();
  sqs = testSqs();
  worker = await startTestWorker(client);
  const account = await admin.createAccount({
    mode: 'test',
    counts: Object.fromEntries(RESOURCE_NAMES.map((r) => [r, PER_RESOURCE])),
    // every resource gets TIED objects on one second: slices must neither lose nor repeat them
    ties: { count: TIED },
  });
  accountId = account.id;
  env = cliEnv({ COMPOUND_TASK_QUEUE: worker.taskQueue, STRIPE_KEY: account.keys.restricted });
});

afterAll(async () => {
  for (const id of ids) await cleanUpInteraction(client, id);
  await worker?.stop();
  await client?.connection.close();
  sqs?.destroy();
});

it('`compound resources` lists every registry resource with its frequencies and permission', async () => {
  const text = await runCli(['resources'], { env });
  expect(text.code).toBe(0);
  const lines = text.stdout.trim().split('\n');
  expect(lines).toHaveLength(RESOURCE_NAMES.length + 1);
  for (const name of RESOURCE_NAMES) {
    const { permission, frequencies } = RESOURCES[name];
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${name}\\s+${frequencies.join(', ')}\\s+${permission}\\s`)),
    );
  }
  const json = await runCliJson<{ resource: string }[]>(['resources', '--json'], { env });
  expect(json.map((r) => r.resource)).toEqual([...RESOURCE_NAMES]);
});

describe.each(RESOURCE_NAMES)('%s', (resource) => {
  const spec = RESOURCES[resource];

  it('interactions create + sync-now --wait deliver exactly the account’s objects', async () => {
    const queueUrl = await createQueue(sqs, uniqueName(`res-${resource.slice(0, 20)}`));
    const name = uniqueName(`res-${resource}`);
    const created = await runCli(
      [
        'interactions',
        'create',
        '--name',
        name,
        '--resource',
        resource,
        '--frequency',
        spec.frequencies[0],
        '--stripe-key-env',
        'STRIPE_KEY',
        '--stripe-api-base',
        services().emulatorUrl,
        '--queue-url',
        queueUrl,
      ],
      { env },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    ids.push(name);

    const run = await runCliJson<SyncNowResult>(['interactions', 'sync-now', name, '--wait', '--json'], {
      env,
    });
    const truth = await admin.objects(accountId, resource);
    const messages = await drainQueue(sqs, queueUrl);
    const received = objectIds(messages);
    expect(truth).toHaveLength(PER_RESOURCE);
    expect(received.all).toHaveLength(PER_RESOURCE);
    expect([...received.distinct].sort()).toEqual(truth.map((o) => o.id).sort());
    expect(run.summary).toMatchObject({ objects: PER_RESOURCE });
    // the shapes are Stripe's, per resource
    const objects = envelopes(messages).flatMap((e) => e.objects as { object: string }[]);
    expect(new Set(objects.map((o) => o.object))).toEqual(new Set([spec.object]));
    if (spec.createdFilter) {
      const seconds = new Map<number, number>();
      for (const o of truth) seconds.set(o.created, (seconds.get(o.created) ?? 0) + 1);
      expect(Math.max(...seconds.values())).toBeGreaterThanOrEqual(TIED);
    } else {
      // one sequential slice: pages are exactly the list's pages
      expect(run.summary!.requests).toBe(Math.ceil(PER_RESOURCE / 100));
      const backfill = await runCli(['backfill', name, '--from', '2024-01-01', '--to', '2024-02-01'], {
        env,
      });
      expect(backfill.code).toBe(2);
      expect(backfill.stderr).toContain(`${resource} cannot be backfilled by date`);
    }
  });
});
