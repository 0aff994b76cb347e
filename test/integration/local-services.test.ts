import { existsSync } from 'node:fs';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { Connection } from '@temporalio/client';
import { startLocalServices, stopLocalServices } from '../../dev/local-services';
import { isAlive } from '../../dev/processes';
import { sqsClientFor } from '../../dev/services';

// The services the test setup starts are real and healthy, and stopping them leaves no process behind
// (a second, private set, so the shared one keeps serving the other tests).

it('starts Temporal (with its Web UI and search attributes), ElasticMQ, the emulator and stripe-mock, and stops every process', async () => {
  const s = await startLocalServices();
  try {
    const connection = await Connection.connect({ address: s.temporalAddress });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(['CompoundInteraction', 'CompoundResource']),
    );
    await connection.close();
    const ui = await fetch(s.temporalUiUrl);
    expect(ui.status).toBe(200);
    const sqs = sqsClientFor(s.sqsEndpoint);
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
    sqs.destroy();
    expect(QueueUrls?.map((u) => u.split('/').pop()).sort()).toEqual([
      'compound-extraction',
      'compound-extraction.fifo',
    ]);
    expect((await fetch(`${s.emulatorUrl}/_emulator/health`)).status).toBe(200);
    for (const p of s.processes) expect(isAlive(p.pid)).toBe(true);
  } finally {
    await stopLocalServices(s);
  }
  for (const p of s.processes) expect(isAlive(p.pid)).toBe(false);
  expect(existsSync(s.dir)).toBe(false);
});
