import {
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  describeRange,
  overlapsOrTouches,
  parseBackfillRequest,
  subtractRange,
  type CreatedRange,
} from '../common/backfill-request';
import {
  backfillProgressQuery,
  backfillSignal,
  cancelSignal,
  pauseSignal,
  requestBackfillUpdate,
  resumeSignal,
  type BackfillAccepted,
  type BackfillProgress,
  type BackfillRangeItem,
  type FinishedRange,
  type RejectedRequest,
  type SyncOptions,
} from './definitions';
import { pageActivityOptions } from './page-activity';
import {
  activeSlices,
  DEFAULT_SYNC_CONCURRENCY,
  emptyTotals,
  newPagingState,
  nextPageRequest,
  runPaging,
  walkedFraction,
  type PagingState,
  type PagingTotals,
} from './paging';

// One long-lived backfill workflow per interaction (`backfill-<id>`), idle until someone sends it a
// range — from the Temporal Web UI's "Send a Signal" dialog or `compound backfill`. Ranges queue in
// order and are paged by the same engine as scheduled syncs. Bad input is recorded and explained,
// never allowed to fail a workflow task.

export interface BackfillState {
  paused: boolean;
  queue: BackfillRangeItem[];
  current?: BackfillRangeItem & { paging: PagingState; startedAtMs: number };
  finished: FinishedRange[];
  rejected: RejectedRequest[];
  totals: PagingTotals;
  lastError?: string;
  nextRequestId: number;
  continuedAsNew: number;
}

export interface BackfillInput {
  interactionId: string;
  options?: Omit<SyncOptions, 'range'>;
  /** Carried across continue-as-new. */
  carried?: BackfillState;
}

const KEEP_FINISHED = 50;
const KEEP_REJECTED = 50;

const newState = (): BackfillState => ({
  paused: false,
  queue: [],
  finished: [],
  rejected: [],
  totals: emptyTotals(),
  nextRequestId: 1,
  continuedAsNew: 0,
});

const keepLast = <T>(items: T[], n: number) => items.splice(0, Math.max(0, items.length - n));
const nowSeconds = () => Math.floor(Date.now() / 1000);
const nowIso = () => new Date().toISOString();

export async function backfillInteraction(input: BackfillInput): Promise<void> {
  const state = input.carried ?? newState();
  const options = input.options ?? {};
  const concurrency = options.concurrency ?? DEFAULT_SYNC_CONCURRENCY;
  const { fetchPage } = proxyActivities<Activities>(pageActivityOptions(options.pageTimeoutSeconds));
  let cancelCurrent = false;
  let pagesThisRun = 0;

  const reject = (via: RejectedRequest['via'], raw: unknown, reason: string) => {
    state.rejected.push({ at: nowIso(), via, input: safeJson(raw), reason });
    keepLast(state.rejected, KEEP_REJECTED);
    log.warn('backfill request rejected', { interactionId: input.interactionId, via, reason });
    showDetails();
  };

  /** Queues a range, merging it with what is queued and skipping what is already running. */
  const enqueue = (range: CreatedRange, note?: string): BackfillAccepted => {
    const requestId = `r${state.nextRequestId++}`;
    const pieces = state.current ? subtractRange(range, state.current.range) : [range];
    const overlapsCurrent = pieces.length !== 1 || pieces[0].gte !== range.gte || pieces[0].lt !== range.lt;
    if (overlapsCurrent) state.current!.requests.push(requestId);
    let merged = overlapsCurrent;
    for (const piece of pieces) {
      const overlapping = state.queue.filter((q) => overlapsOrTouches(q.range, piece));
      const union = overlapping.reduce(
        (u, q) => ({ gte: Math.min(u.gte, q.range.gte), lt: Math.max(u.lt, q.range.lt) }),
        piece,
      );
      const item: BackfillRangeItem = {
        range: union,
        requests: [...overlapping.flatMap((q) => q.requests), requestId],
        requestedAt: overlapping[0]?.requestedAt ?? nowIso(),
      };
      const at = overlapping.length ? state.queue.indexOf(overlapping[0]) : state.queue.length;
      state.queue = state.queue.filter((q) => !overlapping.includes(q));
      state.queue.splice(Math.min(at, state.queue.length), 0, item);
      merged ||= overlapping.length > 0;
    }
    log.info('backfill queued', {
      interactionId: input.interactionId,
      requestId,
      range: describeRange(range),
    });
    showDetails();
    return { requestId, ranges: pieces, merged, ...(note && { note }) };
  };

  const progress = (): BackfillProgress => {
    const current = state.current;
    let currentView: BackfillProgress['current'];
    if (current) {
      const elapsed = Math.max(0.001, (Date.now() - current.startedAtMs) / 1000);
      const walked = walkedFraction(current.paging);
      const t = current.paging.totals;
      currentView = {
        range: current.range,
        requests: current.requests,
        requestedAt: current.requestedAt,
        startedAt: new Date(current.startedAtMs).toISOString(),
        objects: t.objects,
        pages: t.pages,
        objectsPerSecond: Math.round(t.objects / elapsed),
        walked: Math.round(walked * 1000) / 1000,
        ...(walked > 0.01 && { etaSeconds: Math.round((elapsed * (1 - walked)) / walked) }),
        slices: activeSlices(current.paging),
      };
    }
    return {
      interactionId: input.interactionId,
      state: state.paused ? 'paused' : current || state.queue.length ? 'running' : 'idle',
      queued: state.queue,
      current: currentView,
      totals: {
        objects: state.totals.objects + (current?.paging.totals.objects ?? 0),
        pages: state.totals.pages + (current?.paging.totals.pages ?? 0),
        requests: state.totals.requests + (current?.paging.totals.requests ?? 0),
        rateLimited: state.totals.rateLimited + (current?.paging.totals.rateLimited ?? 0),
      },
      finished: state.finished,
      rejected: state.rejected,
      lastError: state.lastError,
      continuedAsNew: state.continuedAsNew,
    };
  };

  function showDetails(): void {
    const p = progress();
    const lines = [`**State:** ${p.state}${state.paused ? ' (send `resume` to continue)' : ''}`];
    if (p.current) {
      lines.push(
        `**Range:** ${describeRange(p.current.range)} · ${p.current.objects} objects · ${p.current.objectsPerSecond}/s` +
          (p.current.etaSeconds !== undefined ? ` · ETA ${p.current.etaSeconds}s` : ''),
      );
    }
    if (p.queued.length) lines.push(`**Queued:** ${p.queued.map((q) => describeRange(q.range)).join('; ')}`);
    if (p.rejected.length) lines.push(`**Last rejected:** ${p.rejected[p.rejected.length - 1].reason}`);
    if (p.lastError) lines.push(`**Last error:** ${p.lastError}`);
    if (!p.current && !p.queued.length)
      lines.push(
        'Send the signal `backfill` with `{"from": "2024-01-01", "to": "2024-03-31"}` to sync a range.',
      );
    setCurrentDetails(lines.join('\n\n'));
  }

  setHandler(
    backfillSignal,
    (raw: unknown) => {
      const parsed = parseBackfillRequest(raw, nowSeconds());
      if (parsed.ok) enqueue(parsed.range, parsed.note);
      else reject('signal', raw, parsed.reason);
    },
    {
      description:
        'Sync a created-date range: {"from": "2024-01-01", "to": "2024-03-31"} (ISO dates, date-times or unix seconds; "to" defaults to now)',
    },
  );
  setHandler(
    requestBackfillUpdate,
    (request) => {
      const parsed = parseBackfillRequest(request, nowSeconds());
      if (!parsed.ok) throw new Error(parsed.reason); // unreachable: the validator rejected it
      return enqueue(parsed.range, parsed.note);
    },
    {
      validator: (request) => {
        const parsed = parseBackfillRequest(request, nowSeconds());
        if (!parsed.ok) throw new Error(parsed.reason);
      },
      description:
        'Like the backfill signal, but invalid input is rejected to the caller; returns the request id',
    },
  );
  setHandler(pauseSignal, () => void ((state.paused = true), showDetails()), {
    description: 'Pause after the pages in flight; queued ranges wait too',
  });
  setHandler(resumeSignal, () => void ((state.paused = false), showDetails()), {
    description: 'Resume a paused backfill',
  });
  setHandler(
    cancelSignal,
    (request?: unknown) => {
      cancelCurrent = state.current !== undefined;
      if (request && typeof request === 'object' && (request as { all?: unknown }).all === true) {
        for (const item of state.queue.splice(0)) finish(item, 'cancelled', emptyTotals());
      }
      showDetails();
    },
    {
      description: 'Stop the running range; queued ranges still run next. {"all": true} drops the queue too',
    },
  );
  setHandler(backfillProgressQuery, progress, {
    description: 'State, queued and current ranges, objects/s, ETA, rejected requests',
  });

  function finish(
    item: BackfillRangeItem,
    status: FinishedRange['status'],
    totals: PagingTotals,
    error?: string,
  ): void {
    state.finished.push({
      range: item.range,
      requests: item.requests,
      requestedAt: item.requestedAt,
      status,
      objects: totals.objects,
      pages: totals.pages,
      finishedAt: nowIso(),
      ...(error && { error }),
    });
    keepLast(state.finished, KEEP_FINISHED);
    for (const key of Object.keys(state.totals) as (keyof PagingTotals)[]) state.totals[key] += totals[key];
  }

  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    (options.continueAsNewAfterPages !== undefined && pagesThisRun >= options.continueAsNewAfterPages);

  showDetails();
  try {
    for (;;) {
      await condition(
        () =>
          shouldContinueAsNew() || (!state.paused && (state.current !== undefined || state.queue.length > 0)),
      );
      if (shouldContinueAsNew()) break;
      if (!state.current) {
        const next = state.queue.shift()!;
        state.current = { ...next, paging: newPagingState(next.range, concurrency), startedAtMs: Date.now() };
        cancelCurrent = false;
      }
      const current = state.current;
      try {
        const outcome = await runPaging(current.paging, {
          concurrency,
          shouldStop: () => state.paused || cancelCurrent || shouldContinueAsNew(),
          fetch: (slice) => fetchPage(nextPageRequest(input.interactionId, slice)),
          onPage: () => {
            pagesThisRun += 1;
            showDetails();
          },
        });
        if (outcome === 'done' || cancelCurrent) {
          finish(current, outcome === 'done' ? 'completed' : 'cancelled', current.paging.totals);
          state.current = undefined;
          cancelCurrent = false;
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        // A page failed for good (revoked key, missing permission…): record it and stay available.
        state.lastError = `${describeRange(current.range)}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`;
        finish(current, 'failed', current.paging.totals, state.lastError);
        state.current = undefined;
        log.error('backfill range failed', { interactionId: input.interactionId, error: state.lastError });
      }
      showDetails();
    }
  } catch (err) {
    // The interaction was deleted: end cleanly.
    if (isCancellation(err)) return;
    throw err;
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof backfillInteraction>({
    ...input,
    carried: { ...state, continuedAsNew: state.continuedAsNew + 1 },
  });
}

function safeJson(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 500);
  } catch {
    return String(value).slice(0, 500);
  }
}
