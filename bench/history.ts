import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';

// What a run's Temporal history says: its size, and when each page was scheduled and completed.

export interface HistoryStats {
  events: number;
  bytes: number;
  /** Seconds from scheduling a page to its completion (task queue, rate limiter, Stripe, SQS), summed. */
  pageSeconds: number;
  /** Seconds from a page's completion to the next page scheduled after it (the workflow's turnaround), summed. */
  turnaroundSeconds: number;
  pages: number;
  /**
   * Where the seconds above go, summed: a page waiting for a worker to take it (activity schedule-to-start,
   * which includes Temporal's per-account dispatch rate), and a workflow task waiting for the worker
   * (schedule-to-start) and being worked on (start-to-complete).
   */
  pageQueueSeconds: number;
  workflowTaskQueueSeconds: number;
  workflowTaskRunSeconds: number;
  workflowTasks: number;
  /** Pages completed in each second since `since`. */
  pagesPerSecond: number[];
  /** Each fetchPage activity's [scheduled, closed] in unix seconds (closed: Infinity if it never did). */
  pageIntervals: [number, number][];
}

const eventSeconds = (t: temporal.api.history.v1.IHistoryEvent['eventTime']) =>
  Number(t?.seconds ?? 0) + (t?.nanos ?? 0) / 1e9;

/** `keepIn`: a folder to write each run's history to (payloads stay encrypted). */
export async function historyOf(
  client: Client,
  workflowId: string,
  sinceMs: number,
  keepIn?: string,
): Promise<HistoryStats> {
  const stats: HistoryStats = {
    events: 0,
    bytes: 0,
    pageSeconds: 0,
    turnaroundSeconds: 0,
    pages: 0,
    pageQueueSeconds: 0,
    workflowTaskQueueSeconds: 0,
    workflowTaskRunSeconds: 0,
    workflowTasks: 0,
    pagesPerSecond: [],
    pageIntervals: [],
  };
  const { EventType } = temporal.api.enums.v1;
  const closing = new Set([
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
  ]);
  // Every run of the chain (continue-as-new), each history in full (fetchHistory follows the pages).
  for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    if (keepIn) writeFileSync(join(keepIn, `${workflowId}.${execution.runId}.json`), historyToJSON(history));
    const events = history.events ?? [];
    stats.events += events.length;
    stats.bytes += temporal.api.history.v1.History.encode(history).finish().length;
    const scheduledAt = new Map<number, number>();
    const openPages = new Map<number, [number, number]>();
    let completedWaiting: number[] = [];
    const taskScheduledAt = new Map<number, number>();
    const taskStartedAt = new Map<number, number>();
    for (const e of events) {
      const at = eventSeconds(e.eventTime);
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
        taskScheduledAt.set(Number(e.eventId), at);
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
        const from = taskScheduledAt.get(Number(e.workflowTaskStartedEventAttributes?.scheduledEventId));
        if (from !== undefined) stats.workflowTaskQueueSeconds += at - from;
        taskStartedAt.set(Number(e.eventId), at);
      }
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        const from = taskStartedAt.get(Number(e.workflowTaskCompletedEventAttributes?.startedEventId));
        if (from !== undefined) stats.workflowTaskRunSeconds += at - from;
        stats.workflowTasks += 1;
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        const from = openPages.get(Number(e.activityTaskStartedEventAttributes?.scheduledEventId))?.[0];
        if (from !== undefined) stats.pageQueueSeconds += at - from;
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduledAt.set(Number(e.eventId), at);
        for (const done of completedWaiting) stats.turnaroundSeconds += at - done;
        completedWaiting = [];
        if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchPage') {
          const interval: [number, number] = [at, Infinity];
          openPages.set(Number(e.eventId), interval);
          stats.pageIntervals.push(interval);
        }
      } else if (e.eventType != null && closing.has(e.eventType)) {
        const a =
          e.activityTaskCompletedEventAttributes ??
          e.activityTaskFailedEventAttributes ??
          e.activityTaskTimedOutEventAttributes ??
          e.activityTaskCanceledEventAttributes;
        const interval = openPages.get(Number(a?.scheduledEventId));
        if (interval) interval[1] = at;
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const from = scheduledAt.get(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId));
        if (from !== undefined) {
          stats.pageSeconds += at - from;
          stats.pages += 1;
          completedWaiting.push(at);
          const second = Math.max(0, Math.floor(at - sinceMs / 1000));
          for (let i = stats.pagesPerSecond.length; i <= second; i++) stats.pagesPerSecond.push(0);
          stats.pagesPerSecond[second] += 1;
        }
      }
    }
  }
  return stats;
}

/** The most intervals open at once between `from` and `to` (unix seconds). */
export function maxOpen(intervals: [number, number][], from: number, to: number): number {
  const edges: [number, number][] = [];
  for (const [start, end] of intervals) {
    if (end <= from || start >= to) continue;
    edges.push([Math.max(start, from), 1], [end, -1]);
  }
  // At one instant a page that closes is counted out before one that opens.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, delta] of edges) {
    open += delta;
    most = Math.max(most, open);
  }
  return most;
}
