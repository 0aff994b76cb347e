import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import fc from 'fast-check';
import {
  backfillProgressQuery,
  backfillSignal,
  cancelSignal,
  requestBackfillUpdate,
  syncProgressQuery,
} from '../../workflows/definitions';
import { parseBackfillRequest } from '../../common/backfill-request';
import { requestIdsInclude } from '../../workflows/backfill-queue';
import { startBackfill, waitForProgress } from '../support/backfill';
import { emulatedInteraction } from '../support/interaction-fixture';
import { drainQueue, objectIds } from '../support/sqs';
import { useHarness } from '../support/temporal';
import { inBatches, workflowTaskFailures } from '../support/workflow-health';

// Property-style: random JSON — huge numbers, deep nesting, long strings, arrays, nulls, raw payloads
// that are not JSON at all — thrown at every handler of the long-lived workflows on the real server.
// Whatever arrives, the workflow task never fails, the workflow stays queryable, and a valid request
// afterwards still does exactly its job. The seed is fixed, so a failure reproduces.

const h = useHarness();
const SPAN = { from: Date.UTC(2024, 0, 1) / 1000, to: Date.UTC(2024, 3, 1) / 1000 };
const SEED = 20261125;
const CASES = 150;

const nested = (depth: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? { from: v } : [v];
  return v;
};
const instant = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e14, 1e300, -0, Number.MAX_SAFE_INTEGER, 1_704_067_200_000, 1_704_067_200),
  fc.string(),
  fc.constantFrom('2024-02-30', '2024-01-01', '9999-12-31', '0000-01-01', '2024-01-01T25:00:00Z', ''),
  fc.constant(null),
);
const anything = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ from: instant, to: instant }, { requiredKeys: [] }),
  fc.record({ from: instant, to: instant, extra: fc.jsonValue({ maxDepth: 2 }) }),
  fc.string({ minLength: 1000, maxLength: 60_000 }),
  fc.integer({ min: 10, max: 1500 }).map((depth) => nested(depth, '2024-01-01')),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 100, maxLength: 2000 }),
);
const samples = () => fc.sample(anything, { seed: SEED, numRuns: CASES });

async function firstRunId(handle: WorkflowHandle) {
  return (await handle.describe()).raw.workflowExecutionInfo!.firstRunId!;
}

/** Raw payloads the SDK cannot decode: not JSON, or an encoding nobody knows. */
async function sendUndecodable(handle: WorkflowHandle, signalName: string) {
  const payloads: { metadata: Record<string, Uint8Array>; data: Uint8Array }[] = [
    { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"from": "2024-01-01",') },
    { metadata: { encoding: Buffer.from('binary/made-up') }, data: Buffer.from([0, 1, 2]) },
    { metadata: {}, data: Buffer.from('no encoding at all') },
  ];
  for (const payload of payloads) {
    await h.client.workflowService.signalWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: handle.workflowId },
      signalName,
      input: { payloads: [payload] },
      identity: 'handler-properties test',
    });
  }
  return payloads.length;
}

it('the backfill workflow takes any signal, update or payload and stays healthy', async () => {
  const f = await emulatedInteraction(h.client, h.sqs, {
    prefix: 'prop-bf',
    taskQueue: h.worker.taskQueue,
    account: { mode: 'test', counts: { charges: 400, products: 0, subscriptions: 0 }, span: SPAN },
  });
  const handle = await startBackfill(h.client, h.worker.taskQueue, { interactionId: f.id });
  // Nothing may run while the random input arrives: valid ranges among it would muddle the final check.
  await handle.signal('pause');
  const inputs = samples();
  let updatesAccepted = 0;
  await inBatches(inputs, 16, async (input) => {
    await handle.signal(backfillSignal, input);
    await handle.signal(cancelSignal, input as never);
    await handle.signal(
      fc.sample(fc.string({ maxLength: 300 }), { seed: SEED, numRuns: 1 })[0] || 'x',
      input,
    );
    const update = await handle
      .executeUpdate(requestBackfillUpdate, { args: [input as never] })
      .then(() => (updatesAccepted += 1))
      .catch((e: unknown) => e);
    if (update instanceof Error) {
      expect(update).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((update as WorkflowUpdateFailedError).cause?.message).toMatch(/\w/);
    }
    await handle.query(backfillProgressQuery);
  });
  const undecodable = await sendUndecodable(handle, 'backfill');
  // Every signal ended as an accepted request or a rejection: each invalid backfill signal, each
  // signal of an unknown name and each undecodable payload is in the rejection count, and each valid
  // signal or accepted update holds a request id in the queue.
  const invalid = inputs.filter((i) => !parseBackfillRequest(i, Math.floor(Date.now() / 1000)).ok).length;
  const accepted = CASES - invalid + updatesAccepted;
  const p = await waitForProgress(handle, (x) => x.rejectedCount === invalid + CASES + undecodable);
  expect(invalid).toBeGreaterThan(CASES / 2);
  expect(p.rejected.at(-1)!.reason).toMatch(/payload could not be read as JSON|unknown signal/);
  for (let i = 1; i <= accepted; i++)
    expect(p.queued.some((q) => requestIdsInclude(q.requests, `r${i}`))).toBe(true);
  expect(JSON.stringify(p).length).toBeLessThan(60_000);
  await handle.signal(cancelSignal, { all: true });
  await handle.signal('resume');
  await drainQueue(h.sqs, f.queueUrl);
  const before = (await handle.query(backfillProgressQuery)).finished.length;
  await handle.signal(backfillSignal, { from: SPAN.from, to: SPAN.to });
  await waitForProgress(handle, (x) => x.finished.length > before && x.state === 'idle');
  expect(objectIds(await drainQueue(h.sqs, f.queueUrl)).distinct).toEqual(
    new Set(await f.idsCreatedIn(SPAN.from, SPAN.to)),
  );
  expect(
    (await workflowTaskFailures(h.client, handle.workflowId, await firstRunId(handle))).failures,
  ).toEqual([]);
});

it('a sync run takes any signal, update or query thrown at it and still delivers exactly its objects', async () => {
  const f = await emulatedInteraction(h.client, h.sqs, {
    prefix: 'prop-sync',
    taskQueue: h.worker.taskQueue,
    account: { mode: 'test', counts: { charges: 3000, products: 0, subscriptions: 0 }, span: SPAN },
  });
  const handle = await h.client.workflow.start('syncInteraction', {
    taskQueue: h.worker.taskQueue,
    workflowId: `sync-${f.id}`,
    args: [{ interactionId: f.id }],
  });
  const names = fc.sample(fc.string({ maxLength: 200 }), { seed: SEED, numRuns: CASES });
  await inBatches(
    samples().map((input, i) => ({ input, name: names[i] || 'progress' })),
    16,
    async ({ input, name }) => {
      await handle.signal(name, input).catch(() => undefined); // a finished run refuses signals: fine
      await handle.executeUpdate(name, { args: [input] }).catch(() => undefined);
      await handle.query(syncProgressQuery).catch(() => undefined);
    },
  );
  await sendUndecodable(handle, 'progress').catch(() => undefined);
  const summary = await handle.result();
  expect(objectIds(await drainQueue(h.sqs, f.queueUrl)).distinct).toEqual(
    new Set(await f.idsCreatedIn(summary.range.gte, summary.range.lt)),
  );
  expect(
    (await workflowTaskFailures(h.client, handle.workflowId, await firstRunId(handle))).failures,
  ).toEqual([]);
});
