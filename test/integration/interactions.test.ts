jest.setTimeout(240000);
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { InteractionView, ListedInteraction, SyncNowResult } from '../../client/interactions';
import { COMPOUND_INTERACTION, COMPOUND_RESOURCE } from '../../client/search-attributes';
import { backfillWorkflowId, scheduleId } from '../../common/interaction';
import { emulatorAdmin, type EmulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { services } from '../services/env';
import { openStoredKey } from '../support/sealed';
import { cliEnv, runCli, runCliJson, type CliResult } from '../support/cli';
import { backfillStatus, cleanUpInteraction, eventually, scheduleExists } from '../support/interactions';
import { createQueue, drainQueue, objectIds, testSqs, uniqueName } from '../support/sqs';
import { startTestWorker, testClient, type RunningWorker } from '../support/temporal';

// `compound interactions …` end to end through the binary itself, against the real dev server, the
// Stripe emulator, ElasticMQ and a real worker. Every byte Temporal stores and every line the CLI
// prints is searched for the Stripe keys afterwards.

let admin: EmulatorAdmin;
let client: Client;
let sqs: SQSClient;
let worker: RunningWorker;
let keys: { secret: string; restricted: string; restrictedNoSubscriptions: string };
let accountId: string;
let queueUrl: string;
let env: Record<string, string | undefined>;
const outputs: CliResult[] = [];
const ids: string[] = [];

async function cli(
  args: string[],
  o: { stdin?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  const r = await runCli(args, { env: o.env ?? env, stdin: o.stdin });
  outputs.push(r);
  return r;
}

async function cliJson<T>(args: string[]): Promise<T> {
  const value = await runCliJson<T>([...args, '--json'], { env });
  outputs.push({ code: 0, stdout: JSON.stringify(value), stderr: '' });
  return value;
}

beforeAll(async () => {
  admin = emulatorAdmin(services().emulatorUrl);
  client = await testClient();
  sqs = testSqs();
  worker = await startTestWorker(client);
  const account = await admin.createAccount({
    mode: 'test',
    counts: { charges: 50, products: 10, subscriptions: 20 },
  });
  keys = account.keys;
  accountId = account.id;
  queueUrl = await createQueue(sqs, uniqueName('interactions'));
  env = cliEnv({
    COMPOUND_QUEUE_URL: queueUrl,
    COMPOUND_TASK_QUEUE: worker.taskQueue,
    STRIPE_KEY: keys.restricted,
  });
});

afterAll(async () => {
  for (const id of ids) await cleanUpInteraction(client, id);
  await worker?.stop();
  await client?.connection.close();
  sqs?.destroy();
});

/** Encoded bytes of a protobuf message, to search for plaintext exactly as Temporal returns it. */
function bytesOf(encode: () => Uint8Array): Buffer {
  return Buffer.from(encode());
}

function expectNoKey(haystack: Buffer | string, where: string): void {
  const buf = typeof haystack === 'string' ? Buffer.from(haystack) : haystack;
  for (const key of Object.values(keys)) {
    for (const needle of [key, Buffer.from(key).toString('base64'), key.slice(8)]) {
      if (buf.includes(Buffer.from(needle)))
        throw new Error(`${where} contains a Stripe key (or its base64) in plaintext`);
    }
  }
}

async function rawHistory(workflowId: string, runId?: string): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId, runId },
      nextPageToken,
    });
    for (const event of res.history?.events ?? []) {
      chunks.push(bytesOf(() => temporal.api.history.v1.HistoryEvent.encode(event).finish()));
    }
    nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined;
  } while (nextPageToken);
  return chunks;
}

describe('compound interactions: create → list → show → pause → resume → update → sync-now → delete', () => {
  const name = `${uniqueName('Acme')} charges`;
  let id: string;

  it('create', async () => {
    const r = await cli([
      'interactions',
      'create',
      '--name',
      name,
      '--resource',
      'charges',
      '--frequency',
      'hourly',
      '--stripe-key-env',
      'STRIPE_KEY',
      '--stripe-api-base',
      services().emulatorUrl,
      '--page-size',
      '20',
      // every run re-reads everything: the steps below count objects per run
      '--mode',
      'snapshot',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Mode snapshot: every run reads every object.');
    id = name.toLowerCase().replace(/ /g, '-');
    ids.push(id);
    expect(r.stdout).toContain(`Created interaction ${id} ("${name}")`);
    expect(r.stdout).toContain(
      `Stripe key rk_test_…${keys.restricted.slice(-4)} works (test mode, restricted key)`,
    );
    expect(r.stdout).toContain(`Schedule ${scheduleId(id)}`);
    expect(await scheduleExists(client, id)).toBe(true);
    expect(await backfillStatus(client, id)).toBe('RUNNING');
  });

  it('list (text and --json)', async () => {
    // Schedule listing is eventually consistent: wait until the new one shows up.
    const list = await eventually('the interaction in the list', async () => {
      const l = await cliJson<ListedInteraction[]>(['interactions', 'list']);
      return l.some((i) => i.id === id) ? l : undefined;
    });
    const mine = list.find((i) => i.id === id)!;
    expect(mine).toMatchObject({
      id,
      name,
      resource: 'charges',
      frequency: 'hourly',
      paused: false,
      pageSize: 20,
      stripeKey: `rk_test_…${keys.restricted.slice(-4)}`,
      keyMode: 'test',
      keyKind: 'restricted',
      queueUrl,
      taskQueue: worker.taskQueue,
    });
    expect(mine.nextRuns?.length).toBeGreaterThan(0);
    expect(mine.lastRun).toBeUndefined();

    const text = await cli(['interactions', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ID\s+NAME\s+RESOURCE\s+FREQUENCY\s+STATE\s+NEXT RUN\s+LAST RUN\s+RESULT/);
    expect(text.stdout).toMatch(
      new RegExp(
        `^${id}\\s+${name}\\s+charges\\s+hourly\\s+active\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:00:00 UTC\\s+-\\s+never run$`,
        'm',
      ),
    );
  });

  it('show (text and --json; by id or by name)', async () => {
    const view = await cliJson<InteractionView>(['interactions', 'show', id]);
    expect(view).toMatchObject({
      id,
      name,
      frequency: 'hourly',
      timezone: 'UTC',
      paused: false,
      recentRuns: [],
      running: [],
    });
    expect(view.backfillWorkflowId).toBe(backfillWorkflowId(id));
    const text = await cli(['interactions', 'show', name]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^id:\\s+${id}$`, 'm'));
    expect(text.stdout).toMatch(/^frequency:\s+hourly: every hour at minute 0 \(UTC\)$/m);
    expect(text.stdout).toMatch(/^stripe key:\s+rk_test_…\w{4} \(test mode, restricted key\)$/m);
  });

  it('pause and resume', async () => {
    const paused = await cli(['interactions', 'pause', id]);
    expect([paused.code, paused.stdout.trim()]).toEqual([0, `Paused ${id}.`]);
    expect((await cliJson<InteractionView>(['interactions', 'show', id])).paused).toBe(true);
    const again = await cli(['interactions', 'pause', id]);
    expect([again.code, again.stdout.trim()]).toEqual([0, `${id} was already paused.`]);
    const listed = await eventually('paused in the list', async () => {
      const l = await cliJson<ListedInteraction[]>(['interactions', 'list']);
      return l.find((i) => i.id === id && i.paused);
    });
    expect(listed.paused).toBe(true);
    // A paused schedule takes no scheduled runs, but a manual sync still runs.
    const manual = await cliJson<SyncNowResult>(['interactions', 'sync-now', id, '--wait']);
    expect(manual).toMatchObject({ started: true, summary: { objects: 50 } });
    await drainQueue(sqs, queueUrl);

    const resumed = await cli(['interactions', 'resume', id]);
    expect([resumed.code, resumed.stdout.trim()]).toEqual([0, `Resumed ${id}.`]);
    expect((await cliJson<InteractionView>(['interactions', 'show', id])).paused).toBe(false);
  });

  it('update: frequency, page size, time zone and key rotation through stdin', async () => {
    const r = await cli(
      [
        'interactions',
        'update',
        id,
        '--frequency',
        'daily',
        '--page-size',
        '25',
        '--timezone',
        'Asia/Kolkata',
        '--stripe-key',
        '-',
      ],
      {
        stdin: `${keys.secret}\n`,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Updated ${id}: frequency, Stripe key, page size, time zone.`);
    expect(r.stdout).toContain(`Stripe key sk_test_…${keys.secret.slice(-4)} works (test mode, secret key)`);
    // A full secret key works, with a warning on stderr recommending a restricted key.
    expect(r.stderr).toMatch(
      /warning: sk_test_…\w{4} is a full secret key.*restricted key with Read on Charges/,
    );

    const view = await cliJson<InteractionView>(['interactions', 'show', id]);
    expect(view).toMatchObject({
      frequency: 'daily',
      pageSize: 25,
      timezone: 'Asia/Kolkata',
      keyKind: 'secret',
      stripeKey: `sk_test_…${keys.secret.slice(-4)}`,
    });
    for (const t of view.nextRuns) expect(t).toMatch(/T18:30:00\.000Z$/); // midnight in Kolkata

    // Rotate back to the restricted key through the environment variable (no other change).
    const back = await cli(['interactions', 'update', id, '--stripe-key-env', 'STRIPE_KEY']);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`Updated ${id}: Stripe key.`);
    expect(back.stderr).toBe('');
    const desc = await client.schedule.getHandle(scheduleId(id)).describe();
    const args = desc.action.type === 'startWorkflow' ? desc.action.args : undefined;
    expect(args?.[0]).toMatchObject({
      interactionId: id,
      interaction: { stripeKey: expect.stringMatching(/^sealed:v1:/), pageSize: 25 },
    });
    expect(openStoredKey((args![0] as { interaction: { stripeKey: string } }).interaction.stripeKey)).toBe(
      keys.restricted,
    );
  });

  it('sync-now --wait: runs a sync on the worker and prints its summary', async () => {
    const result = await cliJson<SyncNowResult>(['interactions', 'sync-now', id, '--wait']);
    expect(result).toMatchObject({
      id,
      started: true,
      workflowId: expect.stringMatching(new RegExp(`^sync-${id}-`)),
    });
    expect(result.summary).toMatchObject({ interactionId: id, kind: 'scheduled', objects: 50 });
    expect(result.summary!.pages).toBeGreaterThanOrEqual(2);
    expect(result.summary!.requests).toBeGreaterThanOrEqual(result.summary!.pages);
    const truth = await admin.objects(accountId, 'charges');
    const received = objectIds(await drainQueue(sqs, queueUrl));
    expect([...received.distinct].sort()).toEqual(truth.map((o) => o.id).sort());

    const text = await cli(['interactions', 'sync-now', id, '--wait']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^Started sync sync-${id}-\\S+ of ${id}\\.$`, 'm'));
    for (const label of [
      'objects:\\s+50',
      'pages:\\s+\\d+',
      'bytes:\\s+[\\d.]+ \\w+',
      'requests:\\s+\\d+',
      '429s:\\s+\\d+',
      'duration:\\s+[\\d.]+ s',
    ]) {
      expect(text.stdout).toMatch(new RegExp(`^${label}`, 'm'));
    }
    await drainQueue(sqs, queueUrl);
  });

  it('sync-now without --wait starts a run; show and list report the last result', async () => {
    const started = await cliJson<SyncNowResult>(['interactions', 'sync-now', id]);
    expect(started.summary).toBeUndefined();
    await client.workflow
      .getHandle(started.workflowId, undefined, { firstExecutionRunId: started.runId })
      .result();
    const view = await cliJson<InteractionView>(['interactions', 'show', id]);
    expect(view.recentRuns!.length).toBeGreaterThanOrEqual(3);
    expect(view.lastRun).toMatchObject({ workflowId: started.workflowId, status: 'COMPLETED' });
    const list = await eventually('the last run in the list', async () => {
      const l = await cliJson<ListedInteraction[]>(['interactions', 'list']);
      return l.find((i) => i.id === id && i.lastRun?.workflowId === started.workflowId);
    });
    expect(list.lastRun?.status).toBe('COMPLETED');
    await drainQueue(sqs, queueUrl);
  });

  it('the search attributes are on every sync the schedule starts', async () => {
    const found = await eventually('syncs by CompoundInteraction', async () => {
      const runs = [];
      for await (const w of client.workflow.list({
        query: `CompoundInteraction = '${id}' AND WorkflowType = 'syncInteraction'`,
      }))
        runs.push(w);
      return runs.length >= 3 ? runs : undefined;
    });
    for (const w of found) {
      expect(w.typedSearchAttributes.get(COMPOUND_INTERACTION)).toBe(id);
      expect(w.typedSearchAttributes.get(COMPOUND_RESOURCE)).toBe('charges');
    }
  });

  it('no plaintext Stripe key in history, schedule, search attributes or CLI output', async () => {
    // The search would find one (control).
    expect(() => expectNoKey(Buffer.from(`\x0a\x12${keys.restricted}\x00`), 'control')).toThrow(
      /control contains a Stripe key/,
    );
    const desc = await client.workflowService.describeSchedule({
      namespace: 'default',
      scheduleId: scheduleId(id),
    });
    expectNoKey(
      bytesOf(() => temporal.api.workflowservice.v1.DescribeScheduleResponse.encode(desc).finish()),
      'the raw schedule description',
    );
    expectNoKey(JSON.stringify(desc.toJSON()), 'the schedule description as JSON');
    const listed = await client.workflowService.listSchedules({ namespace: 'default' });
    expectNoKey(
      bytesOf(() => temporal.api.workflowservice.v1.ListSchedulesResponse.encode(listed).finish()),
      'the schedule list',
    );

    const executions = await client.workflowService.listWorkflowExecutions({
      namespace: 'default',
      query: `CompoundInteraction = '${id}'`,
    });
    expect(executions.executions.length).toBeGreaterThanOrEqual(5); // backfill + 4 syncs
    expectNoKey(
      bytesOf(() =>
        temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse.encode(executions).finish(),
      ),
      'visibility (search attributes, memo)',
    );
    for (const e of executions.executions) {
      const described = await client.workflowService.describeWorkflowExecution({
        namespace: 'default',
        execution: e.execution,
      });
      expectNoKey(
        bytesOf(() =>
          temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described).finish(),
        ),
        `describe ${e.execution?.workflowId}`,
      );
      const events = await rawHistory(e.execution!.workflowId!, e.execution!.runId!);
      expect(events.length).toBeGreaterThan(0);
      events.forEach((event, i) => expectNoKey(event, `event ${i + 1} of ${e.execution?.workflowId}`));
    }
  });

  it('delete: removes the schedule and ends the backfill workflow cleanly', async () => {
    const r = await cli(['interactions', 'delete', id]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      `Deleted interaction ${id}: schedule removed, its backfill workflow was cancelled.`,
    );
    expect(await scheduleExists(client, id)).toBe(false);
    // The backfill workflow returns normally on cancellation.
    expect(await backfillStatus(client, id)).toBe('COMPLETED');

    const show = await cli(['interactions', 'show', id]);
    expect(show.code).toBe(2);
    expect(show.stderr.trim()).toBe(
      `compound: no interaction named ${id}; see \`compound interactions list\``,
    );
    const again = await cli(['interactions', 'delete', id]);
    expect(again.code).toBe(2);
    const list = await eventually('the interaction gone from the list', async () => {
      const l = await cliJson<ListedInteraction[]>(['interactions', 'list']);
      return l.some((i) => i.id === id) ? undefined : l;
    });
    expect(list.some((i) => i.id === id)).toBe(false);
  });

  it('the CLI never printed a key', () => {
    expect(outputs.length).toBeGreaterThan(10);
    outputs.forEach((o, i) => {
      expectNoKey(o.stdout, `stdout of CLI call ${i + 1}`);
      expectNoKey(o.stderr, `stderr of CLI call ${i + 1}`);
    });
  });
});

describe('a run that fails', () => {
  it('sync-now --wait exits 1 with the reason; list and show report FAILED with the message, masked', async () => {
    const account = await admin.createAccount({
      mode: 'test',
      counts: { charges: 5, products: 0, subscriptions: 0 },
    });
    const name = uniqueName('Revoked');
    const id = name.toLowerCase();
    ids.push(id);
    const created = await cli(
      [
        'interactions',
        'create',
        '--name',
        name,
        '--resource',
        'charges',
        '--frequency',
        'daily',
        '--stripe-key-env',
        'K',
        '--stripe-api-base',
        services().emulatorUrl,
      ],
      { env: { ...env, K: account.keys.restricted } },
    );
    expect(created.code).toBe(0);
    // The account (and its keys) disappears after registration: Stripe now answers 401.
    await admin.deleteAccount(account.id);

    const r = await cli(['interactions', 'sync-now', id, '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`compound: sync sync-${id}-\\S+ failed: .*the key is not valid`));
    expectNoKey(r.stderr, 'the failure message');
    expect(r.stderr).not.toContain(account.keys.restricted);

    const view = await cliJson<InteractionView>(['interactions', 'show', id]);
    expect(view.lastRun?.status).toBe('FAILED');
    expect(view.lastRun?.failure).toMatch(/the key is not valid/);
    expect(view.lastRun?.failure).not.toContain(account.keys.restricted);
    const text = await cli(['interactions', 'list']);
    expect(text.stdout).toMatch(new RegExp(`^${id}\\s.*FAILED: .*the key is not valid`, 'm'));
    expect(text.stdout).not.toContain(account.keys.restricted);

    const deleted = await cli(['interactions', 'delete', id]);
    expect(deleted.code).toBe(0);
  });
});
