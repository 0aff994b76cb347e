import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { redactSecrets } from '../common/mask';

// A page that keeps failing is retried by Temporal inside one activity: the workflow sees nothing
// until the retries run out (up to 30 minutes). Temporal keeps each pending activity's attempt number
// and last failure in the workflow's description; this reads them so the CLI can say what is wrong
// while it is still retrying. (The Web UI shows the same under the workflow's Pending Activities.)

export interface RetryingPage {
  attempt: number;
  /** The last attempt's failure, masked. */
  error: string;
  /** When the next attempt is due, if Temporal said. */
  nextAttemptAt?: string;
}

/** The pending page with the most attempts, when any has failed at least once. */
export function retryingPage(desc: WorkflowExecutionDescription): RetryingPage | undefined {
  let worst: RetryingPage | undefined;
  for (const a of desc.raw.pendingActivities ?? []) {
    const message = a.lastFailure?.message;
    const attempt = a.attempt ?? 1;
    if (!message || (worst && worst.attempt >= attempt)) continue;
    const seconds = a.nextAttemptScheduleTime?.seconds;
    worst = {
      attempt,
      error: redactSecrets(message),
      ...(seconds && { nextAttemptAt: new Date(Number(seconds) * 1000).toISOString() }),
    };
  }
  return worst;
}

export function formatRetrying(r: RetryingPage): string {
  return `a page is failing and being retried (attempt ${r.attempt}): ${r.error}`;
}

/**
 * Calls onChange whenever the retrying page's attempt or error changes, until the returned stop().
 * Polls the latest run of the workflow id (the end of its continue-as-new chain).
 */
export function watchRetrying(
  client: Client,
  workflowId: string,
  onChange: (r: RetryingPage | undefined) => void,
  intervalMs = 1000,
): () => void {
  let last = '';
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      try {
        const r = retryingPage(await client.workflow.getHandle(workflowId).describe());
        const key = r ? `${r.attempt}|${r.error}` : '';
        if (key !== last) onChange(r);
        last = key;
      } catch {
        // The run may be between continue-as-new runs or gone: the next poll tells.
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  void poll();
  return () => void (stopped = true);
}
