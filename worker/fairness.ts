import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

// Stripe limits each account (and, in live mode, each endpoint) to 25 requests per second, whatever
// the number of workers. Every worker's own limiter only sees its own requests, so the shared limit is
// Temporal's: page activities carry a fairness key per budget (common/interaction.ts, fairnessKeyOf)
// and the activity task queue dispatches each key's tasks at most at this rate, across all workers.
// The in-process limiter still smooths requests within a worker.

/** Requests per second one fairness key may dispatch: Stripe's 25, times the headroom. */
export const fairnessRateFor = (headroom: number): number => Math.round(25 * headroom * 100) / 100;

/**
 * Sets the default per-key rate on the task queue's activity side. Returns why it could not (a server
 * without task-queue fairness, or a key without the permission), so the worker can say so: it still
 * runs, limited per worker only.
 */
export async function applyFairnessRate(
  client: Client,
  o: { namespace: string; taskQueue: string; requestsPerSecond: number },
): Promise<string | undefined> {
  try {
    await client.workflowService.updateTaskQueueConfig({
      namespace: o.namespace,
      taskQueue: o.taskQueue,
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      identity: 'compound worker',
      updateFairnessKeyRateLimitDefault: {
        rateLimit: { requestsPerSecond: o.requestsPerSecond },
        reason: "Stripe's per-account rate limit, shared by every Compound worker",
      },
    });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
