import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { describeRange, parseBackfillRequest } from '../common/backfill-request';
import { backfillWorkflowId } from '../common/interaction';
import {
  backfillProgressQuery,
  cancelSignal,
  pauseSignal,
  requestBackfillUpdate,
  resumeSignal,
  type BackfillAccepted,
  type BackfillProgress,
  type BackfillRequest,
  type FinishedRange,
} from '../workflows/definitions';
import { requestIdsInclude } from '../workflows/backfill-queue';
import { UsageError } from './errors';
import { retryingPage, type RetryingPage } from './retrying';
import { describeOrUsage, resolveInteractionId, unknownInteraction } from './interactions';
import { memoFromDescription } from './interaction-view';
import { isResourceName, RESOURCES } from '../stripe/resources';

// The typed library behind `compound backfill`: requests go through the workflow's Update (validated,
// answered synchronously), progress comes from its query.

function handleFor(client: Client, idOrName: string) {
  return client.workflow.getHandle(backfillWorkflowId(resolveInteractionId(idOrName)));
}

async function call<T>(idOrName: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw unknownInteraction(idOrName);
    throw err;
  }
}

export async function requestBackfill(
  client: Client,
  idOrName: string,
  request: BackfillRequest,
): Promise<BackfillAccepted> {
  // Same check as the workflow's validator, so bad dates fail fast without a round trip.
  const parsed = parseBackfillRequest(request, Math.floor(Date.now() / 1000));
  if (!parsed.ok) throw new UsageError(parsed.reason);
  const { desc } = await describeOrUsage(client, idOrName);
  const resource = memoFromDescription(desc)?.resource;
  if (resource && isResourceName(resource) && !RESOURCES[resource].createdFilter)
    throw new UsageError(
      `${resource} cannot be backfilled by date: Stripe's ${RESOURCES[resource].path} list has no created filter, so every scheduled sync reads all of them; run compound interactions sync-now ${resolveInteractionId(idOrName)} instead`,
    );
  return call(idOrName, async () => {
    try {
      return await handleFor(client, idOrName).executeUpdate(requestBackfillUpdate, { args: [request] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new UsageError(err.cause?.message ?? err.message);
      throw err;
    }
  });
}

export const backfillProgress = (client: Client, idOrName: string): Promise<BackfillProgress> =>
  call(idOrName, () => handleFor(client, idOrName).query(backfillProgressQuery));

/** A page of the backfill that keeps failing and is being retried, if any. */
export const backfillRetrying = (client: Client, idOrName: string): Promise<RetryingPage | undefined> =>
  call(idOrName, async () => retryingPage(await handleFor(client, idOrName).describe()));

export const pauseBackfill = (client: Client, idOrName: string) =>
  call(idOrName, () => handleFor(client, idOrName).signal(pauseSignal));
export const resumeBackfill = (client: Client, idOrName: string) =>
  call(idOrName, () => handleFor(client, idOrName).signal(resumeSignal));
export const cancelBackfill = (client: Client, idOrName: string, all = false) =>
  call(idOrName, () => handleFor(client, idOrName).signal(cancelSignal, { all }));

/** Where a request stands: still queued or running, or every range serving it finished. */
export function requestOutcome(progress: BackfillProgress, requestId: string): FinishedRange[] | undefined {
  const pending =
    progress.queued.some((q) => requestIdsInclude(q.requests, requestId)) ||
    (progress.current !== undefined && requestIdsInclude(progress.current.requests, requestId));
  if (pending) return undefined;
  return progress.finished.filter((f) => requestIdsInclude(f.requests, requestId));
}

/** Polls progress until the request's ranges are finished; onProgress sees every poll. */
export async function waitForBackfill(
  client: Client,
  idOrName: string,
  requestId: string,
  onProgress: (p: BackfillProgress) => void = () => undefined,
  pollMs = 500,
): Promise<FinishedRange[]> {
  for (;;) {
    const progress = await backfillProgress(client, idOrName);
    onProgress(progress);
    const outcome = requestOutcome(progress, requestId);
    if (outcome) return outcome;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function formatFinished(id: string, requestId: string, ranges: FinishedRange[]): string {
  if (ranges.length === 0) return `backfill ${requestId} of ${id}: nothing to do (already covered)`;
  return ranges
    .map(
      (f) =>
        `backfill ${requestId} of ${id}: ${describeRange(f.range)} ${f.status}: ${f.objects} objects in ${f.pages} pages${f.error ? ` (${f.error})` : ''}`,
    )
    .join('\n');
}

export function formatProgress(p: BackfillProgress): string {
  const lines = [`state: ${p.state}`];
  if (p.current) {
    lines.push(
      `running: ${describeRange(p.current.range)} · ${p.current.objects} objects · ${p.current.objectsPerSecond}/s · ${Math.round(p.current.walked * 100)}% walked` +
        (p.current.etaSeconds !== undefined ? ` · ETA ${p.current.etaSeconds} s` : ''),
    );
  }
  for (const q of p.queued) lines.push(`queued: ${describeRange(q.range)} (${q.requests.join(', ')})`);
  for (const f of p.finished.slice(-5))
    lines.push(
      `finished: ${describeRange(f.range)} ${f.status}, ${f.objects} objects${f.error ? ` (${f.error})` : ''}`,
    );
  for (const r of p.rejected.slice(-5)) lines.push(`rejected ${r.at} via ${r.via}: ${r.reason}`);
  if (p.lastError) lines.push(`last error: ${p.lastError}`);
  lines.push(`total: ${p.totals.objects} objects in ${p.totals.pages} pages`);
  return lines.join('\n');
}
