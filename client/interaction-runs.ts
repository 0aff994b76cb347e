import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type ScheduleExecutionResult,
} from '@temporalio/client';
import { backfillWorkflowId, scheduleId } from '../common/interaction';
import { requestSnapshotSignal, type SyncSummary } from '../workflows/definitions';
import { failureMessage, type RunStatus, type RunView } from './interaction-view';
import { retryingPage } from './retrying';
import { describeOrUsage } from './interaction-input';

// Runs of an interaction: their status (following continue-as-new), sync-now and waiting for a run.

const WORKFLOW_STATUSES = new Set<RunStatus>([
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'TIMED_OUT',
  'CONTINUED_AS_NEW',
]);

/** Status of one run the schedule started, following its continue-as-new chain to the latest run. */
export async function runView(client: Client, action: ScheduleExecutionResult): Promise<RunView> {
  const { workflowId, firstExecutionRunId } = action.action.workflow;
  const base = {
    workflowId,
    runId: firstExecutionRunId,
    scheduledAt: action.scheduledAt.toISOString(),
    startedAt: action.takenAt.toISOString(),
  };
  try {
    // Without a run id: the latest run of this workflow id, i.e. the end of the continue-as-new chain.
    const handle = client.workflow.getHandle(workflowId);
    const d = await handle.describe();
    const status = (
      WORKFLOW_STATUSES.has(d.status.name as RunStatus) ? d.status.name : 'UNKNOWN'
    ) as RunStatus;
    const retrying = status === 'RUNNING' ? retryingPage(d) : undefined;
    const view: RunView = {
      ...base,
      status,
      ...(d.closeTime && { closedAt: d.closeTime.toISOString() }),
      ...(retrying && { retrying }),
    };
    if (status === 'FAILED' || status === 'TERMINATED' || status === 'TIMED_OUT') {
      try {
        await client.workflow.getHandle(workflowId, d.runId, { followRuns: false }).result();
      } catch (err) {
        view.failure = failureMessage(err);
      }
    }
    return view;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      return { ...base, status: 'UNKNOWN', failure: 'the run is no longer in Temporal (retention)' };
    throw err;
  }
}
export interface SyncNowOptions {
  /** Wait for the run to finish and return its summary. */
  wait?: boolean;
  /** How long to wait for the triggered run to appear in the schedule's description. */
  startTimeoutMs?: number;
  /** Incremental interactions: this run reads every object instead of the changes. */
  full?: boolean;
}

export interface SyncNowResult {
  id: string;
  workflowId: string;
  /** First run id of the sync (it may continue-as-new). */
  runId: string;
  /** False when a sync was already running: overlap SKIP means no second one is started; that one is reported. */
  started: boolean;
  /** With `wait`: the run's result. */
  summary?: SyncSummary;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a sync now. The trigger uses overlap SKIP (Temporal's trigger defaults to ALLOW_ALL), so two
 * syncs of one interaction never run at once; when one is already running, that one is returned.
 */
export async function triggerSync(
  client: Client,
  idOrName: string,
  o: Pick<SyncNowOptions, 'startTimeoutMs' | 'full'> = {},
): Promise<SyncNowResult> {
  const { id, handle, desc } = await describeOrUsage(client, idOrName);
  const running = desc.info.runningActions.at(-1)?.workflow;
  if (running)
    return { id, workflowId: running.workflowId, runId: running.firstExecutionRunId, started: false };
  // The interaction's backfill workflow keeps the events cursor: it marks the next run a snapshot.
  if (o.full) await requestSnapshot(client, id, 'a full snapshot was requested (sync-now --full)');

  const known = new Set(desc.info.recentActions.map((a) => a.action.workflow.firstExecutionRunId));
  await handle.trigger('SKIP');
  // The trigger returns before the run starts, and does not say which run it started: watch for it.
  const timeoutMs = o.startTimeoutMs ?? 15000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await handle.describe();
    const run =
      now.info.recentActions.map((a) => a.action.workflow).find((w) => !known.has(w.firstExecutionRunId)) ??
      now.info.runningActions.at(-1)?.workflow;
    if (run) return { id, workflowId: run.workflowId, runId: run.firstExecutionRunId, started: true };
    if (Date.now() > deadline)
      throw new Error(
        `triggered ${scheduleId(id)}, but no sync started within ${Math.round(timeoutMs / 1000)} s`,
      );
    await sleep(200);
  }
}

/** Waits for a sync (through its continue-as-new runs) and returns its summary; a failed sync throws with its reason. */
export async function waitForSync(
  client: Client,
  run: Pick<SyncNowResult, 'workflowId' | 'runId'>,
): Promise<SyncSummary> {
  try {
    return await client.workflow
      .getHandle<(input: unknown) => Promise<SyncSummary>>(run.workflowId, undefined, {
        firstExecutionRunId: run.runId,
      })
      .result();
  } catch (err) {
    if (err instanceof WorkflowFailedError)
      throw new Error(`sync ${run.workflowId} failed: ${failureMessage(err)}`, { cause: err });
    throw err;
  }
}

/** triggerSync, then (with `wait`) waitForSync. */
export async function syncNow(
  client: Client,
  idOrName: string,
  o: SyncNowOptions = {},
): Promise<SyncNowResult> {
  const result = await triggerSync(client, idOrName, o);
  if (o.wait) result.summary = await waitForSync(client, result);
  return result;
}

/** The next run of an incremental interaction reads every object (for this reason) and restarts its events cursor. */
export async function requestSnapshot(client: Client, id: string, reason: string): Promise<void> {
  try {
    await client.workflow.getHandle(backfillWorkflowId(id)).signal(requestSnapshotSignal, reason);
  } catch (err) {
    // Without that workflow there is no cursor: every run is a snapshot already.
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
