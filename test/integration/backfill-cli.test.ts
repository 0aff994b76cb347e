import type { Client } from '@temporalio/client';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { BackfillProgress } from '../../workflows/definitions';
import { startBackfill, waitForProgress } from '../support/backfill';
import { runCli, runCliJson } from '../support/cli';
import { emulatedInteraction } from '../support/interaction-fixture';
import { drainQueue, objectIds, testSqs } from '../support/sqs';
import { startTestWorker, testClient, type RunningWorker } from '../support/temporal';

// `compound backfill` spawned as a user would run it, against the real backfill workflow.

let client: Client;
let sqs: SQSClient;
let worker: RunningWorker;
let id: string;
let queueUrl: string;
let idsCreatedIn: (gte: number, lt: number) => Promise<string[]>;

beforeAll(async () => {
  client = await testClient();
  sqs = testSqs();
  worker = await startTestWorker(client);
  const interaction = await emulatedInteraction(client, sqs, {
    prefix: 'bfcli',
    taskQueue: worker.taskQueue,
    account: {
      mode: 'test',
      counts: { charges: 1500, products: 0, subscriptions: 0 },
      span: { from: Date.UTC(2024, 0, 1) / 1000, to: Date.UTC(2024, 3, 1) / 1000 },
    },
  });
  ({ id, queueUrl, idsCreatedIn } = interaction);
  await startBackfill(client, worker.taskQueue, { interactionId: id });
});

afterAll(async () => {
  await client?.workflow
    .getHandle(`backfill-${id}`)
    .cancel()
    .catch(() => undefined);
  await worker?.stop();
  await client?.connection.close();
  sqs?.destroy();
});

it('--from/--to --wait: waits for the range and prints its summary; the objects are in SQS', async () => {
  const r = await runCli(['backfill', id, '--from', '2024-02-01', '--to', '2024-02-29', '--wait']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const gte = Date.UTC(2024, 1, 1) / 1000;
  const lt = Date.UTC(2024, 2, 1) / 1000;
  const truth = await idsCreatedIn(gte, lt);
  expect(r.stdout).toContain(
    `2024-02-01T00:00:00Z → 2024-03-01T00:00:00Z completed: ${truth.length} objects`,
  );
  expect(objectIds(await drainQueue(sqs, queueUrl)).distinct).toEqual(new Set(truth));
});

it('bad dates: a clear message and exit code 2, nothing queued', async () => {
  const r = await runCli(['backfill', id, '--from', '2024-13-45']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/"from" is not a date: "2024-13-45". Use an ISO 8601 date/);
  const reversed = await runCli(['backfill', id, '--from', '2024-03-01', '--to', '2024-02-01']);
  expect(reversed.code).toBe(2);
  expect(reversed.stderr).toMatch(/must be before "to"/);
  const status = await runCliJson<BackfillProgress>(['backfill', id, '--status', '--json']);
  expect(status.queued).toHaveLength(0);
});

it('--pause, --resume, --cancel and --status drive the workflow', async () => {
  expect((await runCli(['backfill', id, '--pause'])).code).toBe(0);
  const queued = await runCli(['backfill', id, '--from', '2024-01-01', '--to', '2024-01-15']);
  expect(queued.code).toBe(0);
  expect(queued.stdout).toMatch(/^queued backfill r\d+ of /);
  const paused = await runCliJson<BackfillProgress>(['backfill', id, '--status', '--json']);
  expect(paused.state).toBe('paused');
  expect(paused.queued).toHaveLength(1);
  expect((await runCli(['backfill', id, '--cancel', '--all'])).code).toBe(0);
  expect((await runCli(['backfill', id, '--resume'])).code).toBe(0);
  const handle = client.workflow.getHandle(`backfill-${id}`);
  const after = await waitForProgress(handle, (p) => p.state === 'idle');
  expect(after.finished.at(-1)).toMatchObject({ status: 'cancelled', objects: 0 });
  const text = await runCli(['backfill', id, '--status']);
  expect(text.stdout).toMatch(/state: idle/);
});

it('an unknown interaction or no action is a usage error', async () => {
  const unknown = await runCli(['backfill', 'no-such-interaction', '--status']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/no interaction named no-such-interaction/);
  const none = await runCli(['backfill', id]);
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/give exactly one of --from/);
});
