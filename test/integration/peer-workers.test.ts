import type { Client } from '@temporalio/client';
import { watchPeerWorkers } from '../../worker/peer-workers';
import { eventually } from '../support/interactions';
import { startTestWorker, testClient, type RunningWorker } from '../support/temporal';
import { uniqueName } from '../support/sqs';

// Workers count each other from the pollers the real Temporal server reports, so each paces its part
// of an account's rate (worker/peer-workers.ts).

let client: Client;
const workers: RunningWorker[] = [];

beforeAll(async () => {
  client = await testClient();
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  await client?.connection.close();
});

it('counts the workers polling the task queue, itself included', async () => {
  const taskQueue = uniqueName('peers');
  for (const identity of ['peer-a', 'peer-b'])
    workers.push(await startTestWorker(client, { taskQueue }, undefined, identity));
  const peers = watchPeerWorkers(client, { namespace: 'default', taskQueue, identity: 'observer' });
  try {
    const counted = await eventually(
      'the observer to count both workers and itself',
      async () => (peers.count() === 3 ? peers.count() : undefined),
      30_000,
    );
    expect(counted).toBe(3);
  } finally {
    peers.stopWhen(() => true);
  }
});
