import type { Client, WorkflowHandle } from '@temporalio/client';
import { backfillWorkflowId } from '../../common/interaction';
import { backfillProgressQuery, type BackfillProgress } from '../../workflows/definitions';
import type { BackfillInput } from '../../workflows/backfill';
import { requestIdsInclude } from '../../workflows/backfill-queue';

export async function startBackfill(
  client: Client,
  taskQueue: string,
  input: BackfillInput,
): Promise<WorkflowHandle> {
  return client.workflow.start('backfillInteraction', {
    taskQueue,
    workflowId: backfillWorkflowId(input.interactionId),
    args: [input],
  });
}

/** Polls the progress query until `done` holds (the workflow's state is only observable by query). */
export async function waitForProgress(
  handle: WorkflowHandle,
  done: (p: BackfillProgress) => boolean,
  timeoutMs = 120000,
): Promise<BackfillProgress> {
  const deadline = Date.now() + timeoutMs;
  let last: BackfillProgress | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(backfillProgressQuery);
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`backfill progress did not reach the expected state; last: ${JSON.stringify(last)}`);
}

export const finishedRequest = (id: string) => (p: BackfillProgress) =>
  p.finished.some((f) => requestIdsInclude(f.requests, id));
