import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { backfillWorkflowId, scheduleId } from '../../common/interaction';

// Checks on what an interaction left in Temporal, for the interactions integration tests.

// The library's own check, so tests and `interactions create` agree on what "exists" means.
export { scheduleExists } from '../../client/interactions';

/** Status name of the backfill workflow, or undefined when Temporal has never heard of it. */
export async function backfillStatus(client: Client, id: string): Promise<string | undefined> {
  try {
    return (await client.workflow.getHandle(backfillWorkflowId(id)).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Polls until `check` returns a value other than undefined (visibility in Temporal is eventually consistent). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Removes whatever a test left, ignoring what is already gone. */
export async function cleanUpInteraction(client: Client, id: string): Promise<void> {
  await client.schedule
    .getHandle(scheduleId(id))
    .delete()
    .catch(() => undefined);
  await client.workflow
    .getHandle(backfillWorkflowId(id))
    .terminate('test clean-up')
    .catch(() => undefined);
}
