import type { ActivityOptions } from '@temporalio/workflow';

/** How a page fetch is retried: transient Stripe/SQS failures with backoff, user errors not at all. */
export function pageActivityOptions(
  pageTimeoutSeconds = 60,
  priority?: ActivityOptions['priority'],
): ActivityOptions {
  return {
    // Temporal rate-limits each fairness key's dispatch across all workers (see worker/fairness.ts).
    ...(priority?.fairnessKey && { priority }),
    startToCloseTimeout: `${pageTimeoutSeconds}s`,
    // A run that cannot get a page through in half an hour fails; the next scheduled tick tries again.
    scheduleToCloseTimeout: '30m',
    // The activity marks user errors (bad key, missing permission, oversized object) non-retryable
    // itself; listing their types here too would repeat them in every page's history event.
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  };
}
