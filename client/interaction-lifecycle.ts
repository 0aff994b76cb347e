import {
  ScheduleNotFoundError,
  WorkflowNotFoundError,
  type Client,
  type ScheduleDescription,
} from '@temporalio/client';
import { backfillWorkflowId, scheduleId } from '../common/interaction';
import { describeOrUsage, resolveInteractionId, unknownInteraction } from './interaction-input';

// Pausing, resuming and deleting an interaction.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StateChange {
  id: string;
  /** False when it already was in the requested state. */
  changed: boolean;
}

export async function pauseInteraction(
  client: Client,
  idOrName: string,
  note = 'paused with `compound interactions pause`',
): Promise<StateChange> {
  const { id, handle, desc } = await describeOrUsage(client, idOrName);
  if (desc.state.paused) return { id, changed: false };
  await handle.pause(note);
  return { id, changed: true };
}

export async function resumeInteraction(
  client: Client,
  idOrName: string,
  note = 'resumed with `compound interactions resume`',
): Promise<StateChange> {
  const { id, handle, desc } = await describeOrUsage(client, idOrName);
  if (!desc.state.paused) return { id, changed: false };
  await handle.unpause(note);
  return { id, changed: true };
}

export type BackfillEnding = 'cancelled' | 'terminated' | 'not-running';

export interface DeletedInteraction {
  id: string;
  scheduleDeleted: boolean;
  /** How the backfill workflow ended. */
  backfill: BackfillEnding;
  /** Syncs that were running and were cancelled. */
  cancelledSyncs: string[];
}

export interface DeleteOptions {
  /** How long to wait for the backfill workflow to finish after the cancel request before terminating it. */
  backfillTimeoutMs?: number;
}

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Removes the schedule, cancels syncs it left running (with the schedule gone they could only fail) and
 * ends the backfill workflow by cancelling it (it returns normally). If no worker takes the cancellation
 * within the timeout, the backfill is terminated, so nothing of the interaction is left running.
 */
export async function deleteInteraction(
  client: Client,
  idOrName: string,
  o: DeleteOptions = {},
): Promise<DeletedInteraction> {
  const id = resolveInteractionId(idOrName);
  if (id === '') throw unknownInteraction(idOrName);
  const handle = client.schedule.getHandle(scheduleId(id));
  let desc: ScheduleDescription | undefined;
  try {
    desc = await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  const backfillId = backfillWorkflowId(id);
  // A half-deleted interaction (schedule gone, backfill left) can still be deleted.
  if (!desc && !(await isRunning(client, backfillId))) throw unknownInteraction(idOrName);

  let scheduleDeleted = false;
  if (desc) {
    try {
      await handle.delete();
      scheduleDeleted = true;
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
  const cancelledSyncs: string[] = [];
  for (const { workflow } of desc?.info.runningActions ?? []) {
    try {
      await client.workflow.getHandle(workflow.workflowId).cancel();
      cancelledSyncs.push(workflow.workflowId);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return {
    id,
    scheduleDeleted,
    backfill: await endBackfill(client, backfillId, o.backfillTimeoutMs ?? 10000),
    cancelledSyncs,
  };
}

async function endBackfill(client: Client, workflowId: string, timeoutMs: number): Promise<BackfillEnding> {
  const backfill = client.workflow.getHandle(workflowId);
  try {
    await backfill.cancel();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'not-running'; // already gone or already closed
    throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(client, workflowId))) return 'cancelled';
    await sleep(200);
  }
  try {
    await backfill.terminate(
      'interaction deleted; no worker finished the backfill workflow after its cancellation',
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'cancelled';
    throw err;
  }
  return 'terminated';
}
