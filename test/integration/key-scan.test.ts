import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Payload } from '@temporalio/common';
import { createEncryptionCodec, loadKeyring } from '../../common/encryption';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { services } from '../services/env';
import { cliEnv, runCli, type CliResult } from '../support/cli';
import { drainQueue, createQueue, uniqueName } from '../support/sqs';
import { testClient } from '../support/temporal';
import { testSqs } from '../support/sqs';
import { spawnWorker } from '../support/worker-process';
import { waitForProgress } from '../support/backfill';

// Only a worker can read a customer's Stripe key. An interaction is registered, synced, backfilled
// and has its key rotated (the old one revoked) in the middle of a backfill, all through the CLI and a
// worker process. Then every place Temporal, the codec or Compound writes is scanned for the keys in
// plaintext: the schedule and every history as the codec server would decode them for the Web UI,
// the Temporal database file, the worker's log, the SQS messages and every CLI output.

const admin = emulatorAdmin(services().emulatorUrl);
const SPAN = { from: Date.UTC(2024, 0, 1) / 1000, to: Date.UTC(2024, 6, 1) / 1000 };

/** Every payload in a JSON tree (a schedule description, a history). */
function payloadsIn(tree: unknown, found: Payload[] = []): Payload[] {
  if (Array.isArray(tree)) tree.forEach((x) => payloadsIn(x, found));
  else if (tree && typeof tree === 'object') {
    const o = tree as Record<string, unknown>;
    if (
      o.metadata &&
      typeof o.metadata === 'object' &&
      'data' in o &&
      (o.metadata as Record<string, unknown>).encoding
    )
      found.push(o as unknown as Payload);
    else Object.values(o).forEach((x) => payloadsIn(x, found));
  }
  return found;
}

it('no Stripe key in plaintext anywhere but the worker, through create, sync, backfill and a key rotation mid-run', async () => {
  const client = await testClient();
  const sqs = testSqs();
  const taskQueue = uniqueName('keyscan');
  const account = await admin.createAccount({
    mode: 'test',
    counts: { charges: 20_000, products: 0, subscriptions: 0 },
    span: SPAN,
  });
  const keys = [account.keys.restricted, account.keys.secret];
  const queueUrl = await createQueue(sqs, uniqueName('keyscan'));
  const env = cliEnv({ COMPOUND_TASK_QUEUE: taskQueue, OLD_KEY: keys[0], NEW_KEY: keys[1] });
  const worker = await spawnWorker(taskQueue);
  const outputs: CliResult[] = [];
  const cli = async (args: string[]) => {
    const r = await runCli(args, { env, timeoutMs: 180_000 });
    outputs.push(r);
    expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    return r;
  };
  try {
    await worker.ready;
    const name = uniqueName('Key scan');
    const created = await cli([
      'interactions',
      'create',
      '--name',
      name,
      '--resource',
      'charges',
      '--frequency',
      'daily',
      '--stripe-key-env',
      'OLD_KEY',
      '--queue-url',
      queueUrl,
      '--stripe-api-base',
      services().emulatorUrl,
      '--json',
    ]);
    const id = (JSON.parse(created.stdout) as { interaction: { id: string } }).interaction.id;
    await cli(['interactions', 'sync-now', id, '--wait']);
    // A backfill, paused half-way while the key is rotated and the old one revoked: the pages after
    // the resume use the new key (the worker's cached copy of the old one is refused by Stripe and
    // read again), and the range still arrives whole.
    const backfill = runCli(['backfill', id, '--from', '2024-01-01', '--to', '2024-06-30', '--wait'], {
      env,
      timeoutMs: 180_000,
    });
    const handle = client.workflow.getHandle(`backfill-${id}`);
    await waitForProgress(handle, (p) => (p.current?.pages ?? 0) > 0);
    await cli(['backfill', id, '--pause']);
    await cli(['interactions', 'update', id, '--stripe-key-env', 'NEW_KEY']);
    await admin.revokeKey(account.id, keys[0]);
    const paused = await waitForProgress(handle, (p) => p.state === 'paused');
    expect(paused.current?.walked).toBeLessThan(1);
    await cli(['backfill', id, '--resume']);
    const backfilled = await backfill;
    outputs.push(backfilled);
    expect(backfilled.code).toBe(0);
    expect(backfilled.stdout).toMatch(/completed: \d+ objects/);
    await cli(['interactions', 'show', id]);
    await cli(['interactions', 'list', '--json']);
    await cli(['backfill', id, '--status']);

    // What the Web UI shows, decoded by the codec server: the schedule and every workflow's history.
    const codec = createEncryptionCodec(loadKeyring());
    const decoded: string[] = [];
    const schedule = await client.schedule.getHandle(`interaction-${id}`).describe();
    decoded.push(JSON.stringify(schedule.action), JSON.stringify(schedule.memo));
    expect(JSON.stringify(schedule.action)).toMatch(/"stripeKey":"sealed:v1:/);
    for await (const wf of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      for (const p of await codec.decode(payloadsIn(history)))
        decoded.push(Buffer.from(p.data ?? []).toString('utf8'));
    }
    expect(decoded.length).toBeGreaterThan(10);
    const messages = (await drainQueue(sqs, queueUrl)).map((m) => m.Body ?? '');
    expect(messages.length).toBeGreaterThan(40);
    const database = ['temporal.db', 'temporal.db-wal']
      .filter((f) => existsSync(join(services().dir, f)))
      .map((f) => readFileSync(join(services().dir, f)).toString('latin1'))
      .join('');
    const places: Record<string, string> = {
      'decoded schedule and histories': decoded.join('\n'),
      'Temporal database': database,
      'worker log': worker.output(),
      'SQS messages': messages.join('\n'),
      'CLI output': outputs.map((r) => r.stdout + r.stderr).join('\n'),
    };
    for (const [place, text] of Object.entries(places))
      for (const key of keys) expect({ place, leaks: text.includes(key) }).toEqual({ place, leaks: false });
    // The tail of each key identifies it, as in the dashboard; the rest never shows.
    for (const key of keys) expect(places['CLI output']).not.toContain(key.slice(0, 20));
  } finally {
    worker.child.kill('SIGTERM');
    await worker.exited;
    await client.connection.close();
  }
});
