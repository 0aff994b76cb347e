import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { STRIPE_RATE_LIMITS } from '../stripe/rate-limits';

// Stripe limits each account (and, in live mode, each endpoint) to 25 requests per second, whatever
// the number of workers. Every worker's own limiter only sees its own requests, so the shared limit is
// Temporal's: page activities carry a fairness key per budget (common/interaction.ts, pagePriorityOf)
// and the activity task queue dispatches each key's tasks at most at this rate times the task's
// fairness weight, across all workers. The weight is the interaction's rate share (0.95 unless set),
// so an account gets 25 × its share. The in-process limiter still smooths requests within a worker.

/** Requests per second one fairness key may dispatch at weight 1: Stripe's limit. */
export const STRIPE_REQUESTS_PER_SECOND = STRIPE_RATE_LIMITS.perEndpoint;

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
