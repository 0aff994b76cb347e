import { Connection, type Client } from '@temporalio/client';
import { services } from '../services/env';
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;
const Cause = temporal.api.enums.v1.WorkflowTaskFailedCause;

const SERVER_DELIVERY_CAUSES: number[] = [
  Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  Cause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
];

export interface TaskFailure {
  runId: string;
  eventId: number;
  cause: string;
  message?: string;
}

/**
 * Every workflow task failure in every run of a workflow, following its continue-as-new chain from
 * the first run. Two causes are the server's way of delivering signals, not failures of the workflow,
 * and are left out: UNHANDLED_COMMAND (signals arrived while the run was completing or continuing as
 * new) and FORCE_CLOSE_COMMAND (more than 100 events buffered while a task was running).
 */
export async function workflowTaskFailures(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<{ runs: number; failures: TaskFailure[] }> {
  const failures: TaskFailure[] = [];
  let runId: string | undefined = firstRunId;
  let runs = 0;
  while (runId) {
    runs += 1;
    let next: string | undefined;
    for await (const event of historyEvents(client, workflowId, runId)) {
      const failed = event.workflowTaskFailedEventAttributes;
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED && failed) {
        if (SERVER_DELIVERY_CAUSES.includes(failed.cause ?? 0)) continue;
        failures.push({
          runId,
          eventId: Number(event.eventId),
          cause: Cause[failed.cause ?? 0] ?? String(failed.cause),
          message: failed.failure?.message ?? undefined,
        });
      }
      const continued = event.workflowExecutionContinuedAsNewEventAttributes;
      if (continued?.newExecutionRunId) next = continued.newExecutionRunId;
    }
    runId = next;
  }
  return { runs, failures };
}

/**
 * A run's events in small pages, over a connection that takes replies up to 64 MiB: signals of
 * hundreds of kB, delivered in one batch, overflow gRPC's default 4 MiB.
 */
async function* historyEvents(client: Client, workflowId: string, runId: string) {
  const connection = await Connection.connect({
    address: services().temporalAddress,
    channelArgs: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 },
  });
  try {
    yield* pagesOf(connection, client.options.namespace, workflowId, runId);
  } finally {
    await connection.close();
  }
}

async function* pagesOf(connection: Connection, namespace: string, workflowId: string, runId: string) {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await connection.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId, runId },
      maximumPageSize: 5,
      nextPageToken,
    });
    yield* page.history?.events ?? [];
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
}

/** Runs `task` over `items` with at most `limit` at once. */
export async function inBatches<T>(items: T[], limit: number, task: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}
