import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import type { Client } from '@temporalio/client';
import {
  createInteraction,
  getInteraction,
  triggerSync,
  waitForSync,
  type SyncNowResult,
} from '../client/interactions';
import { connectClient } from '../common/temporal-connection';
import { loadConfig } from '../common/config';
import { RESOURCES, type Frequency, type ResourceName } from '../stripe/resources';
import { maskKey } from '../common/mask';
import { syncProgressQuery, type SyncSummary } from '../workflows/definitions';
import { WORKER_NODE_FLAGS } from '../worker/memory';
import { freePort } from './processes';
import { ROOT } from './services';
import { readEmulatorState, stackEnv, stackFiles, stackPorts, stackWorkerEnv } from './stack-config';
import { startStack, stopStack } from './stack';

// `npm start`: the local stack, the codec server and a worker; three demo interactions registered
// (once) and synced now, with live progress; then it keeps running until Ctrl-C.

const DEMO: { name: string; resource: ResourceName; frequency: Frequency }[] = [
  { name: 'Demo charges', resource: 'charges', frequency: 'hourly' },
  { name: 'Demo products', resource: 'products', frequency: 'daily' },
  { name: 'Demo subscriptions', resource: 'subscriptions', frequency: 'monthly' },
];

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const log = createWriteStream(join(stackFiles.logDir, 'worker.log'), { flags: 'a' });
  const worker = spawn(process.execPath, [...WORKER_NODE_FLAGS, join(ROOT, 'bin', 'compound.js'), 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.pipe(log);
  worker.stderr!.pipe(log);
  return new Promise((resolve, reject) => {
    let seen = '';
    worker.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('compound worker started')) resolve(worker);
    });
    worker.once('exit', (code) =>
      reject(new Error(`the worker exited (${code}); see ${join(stackFiles.logDir, 'worker.log')}`)),
    );
  });
}

async function registerDemo(
  client: Client,
  stripeKey: string,
  stripeApiBase: string | undefined,
): Promise<string[]> {
  const ids: string[] = [];
  for (const demo of DEMO) {
    const existing = await getInteraction(client, demo.name).catch(() => undefined);
    if (existing) {
      console.log(`  ${demo.name}: already registered (${existing.id}), reusing it`);
      ids.push(existing.id);
      continue;
    }
    const { interaction } = await createInteraction(client, { ...demo, stripeKey, stripeApiBase });
    console.log(`  ${demo.name}: registered as ${interaction.id} (${demo.frequency})`);
    ids.push(interaction.id);
  }
  return ids;
}

async function syncWithProgress(client: Client, ids: string[]): Promise<SyncSummary[]> {
  const runs: SyncNowResult[] = [];
  for (const id of ids) runs.push(await triggerSync(client, id));
  const multi = new cliProgress.MultiBar(
    {
      format: '{name} {bar} {percentage}% | {objects} objects | {rate}/s',
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: !process.stdout.isTTY,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = runs.map((r) => multi.create(100, 0, { name: r.id.padEnd(20), objects: 0, rate: 0 }));
  let done = false;
  const poll = (async () => {
    while (!done) {
      await Promise.all(
        runs.map(async (r, i) => {
          const p = await client.workflow
            .getHandle(r.workflowId)
            .query(syncProgressQuery)
            .catch(() => undefined);
          if (p)
            bars[i].update(Math.round(p.walked * 100), {
              objects: p.totals.objects,
              rate: p.objectsPerSecond,
            });
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  try {
    const summaries = await Promise.all(
      runs.map(async (r, i) => {
        const summary = await waitForSync(client, r);
        bars[i].update(100, { objects: summary.objects, rate: summary.objectsPerSecond });
        return summary;
      }),
    );
    return summaries;
  } finally {
    done = true;
    await poll;
    multi.stop();
  }
}

async function main(): Promise<void> {
  const realKey = process.env.STRIPE_API_KEY;
  console.log(
    'compound: starting the local stack (Temporal + Web UI, ElasticMQ, Stripe emulator, codec server)…',
  );
  const startedServices = await startStack();
  const env = stackEnv();
  Object.assign(process.env, env);
  const worker = await startWorker({
    ...env,
    ...stackWorkerEnv(),
    COMPOUND_METRICS_PORT: process.env.COMPOUND_METRICS_PORT ?? String(await freePort()),
  });
  console.log(`compound: worker started (logs: ${join(stackFiles.logDir, 'worker.log')})`);

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\ncompound: stopping the worker and the stack (data stays in .stack/ for next time)…');
    worker.kill('SIGTERM');
    await new Promise((resolve) =>
      worker.exitCode !== null ? resolve(undefined) : worker.once('exit', resolve),
    );
    await stopStack(startedServices);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const client = await connectClient();
  const stripeKey = realKey ?? readEmulatorState().keys.restricted;
  const stripeApiBase = realKey ? undefined : readEmulatorState().url;
  console.log(
    `compound: demo interactions against ${realKey ? 'Stripe (STRIPE_API_KEY)' : 'the Stripe emulator'} with key ${maskKey(stripeKey)}:`,
  );
  const ids = await registerDemo(client, stripeKey, stripeApiBase);
  console.log('compound: syncing all three now…');
  const summaries = await syncWithProgress(client, ids);
  for (const s of summaries) {
    console.log(
      `  ${s.interactionId.padEnd(20)} ${String(s.objects).padStart(7)} objects  ${String(s.pages).padStart(5)} pages  ${s.durationSeconds.toFixed(1)} s  ${s.rateLimited} × 429`,
    );
  }
  const ui = `http://127.0.0.1:${stackPorts().temporalUi}`;
  const queue = loadConfig().queueUrl;
  console.log(`compound: all three interactions synced; their pages are on ${queue}

  Temporal Web UI: ${ui}/namespaces/default/schedules (the three schedules) and
                   ${ui}/namespaces/default/workflows (runs, with progress in each one's details)
  Backfill from the UI: open the workflow backfill-${ids[0]}, choose "Send a Signal", pick "backfill",
                   enter {"from": "2024-01-01", "to": "2024-03-31"}, press Tab, then Submit
                   (leaving the input reformats the JSON and moves Submit, a Temporal UI bug; the
                   one-line "2024-01-01/2024-03-31" needs no Tab).
  Or from a shell:  npx compound backfill ${ids[0]} --from 2024-01-01 --wait
  ${RESOURCES.charges.label}, ${RESOURCES.products.label} and ${RESOURCES.subscriptions.label} keep syncing on their schedules while this runs. Ctrl-C stops everything.`);
  await client.connection.close();
  await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  if (!stopping) {
    console.error('compound: the worker stopped unexpectedly; see .stack/logs/worker.log');
    await shutdown(1);
  }
}

main().catch((err: Error) => {
  console.error(`compound: ${err.message}`);
  process.exit(1);
});
